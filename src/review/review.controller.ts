import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Admit } from '../admission/route-policy';
import { SessionIdPipe, validateBody } from '../common/validation';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { ApiSessionIdParam } from '../session/dto/session-id.param';
import { SessionViewDto } from '../session/dto/session-view.dto';
import { ReviewPageDto, ReviewPageQueryDto } from './dto/review-page.dto';
import { ReviewRequestDto } from './dto/review-request.dto';
import { decodeCursor } from './review-cursor';
import { ReviewService } from './review.service';

const DEFAULT_LIMIT = 20;

@ApiTags('reviews')
@Controller('v1')
export class ReviewController {
  constructor(private readonly reviews: ReviewService) {}

  @Get('reviews')
  @Admit.internal()
  @ApiOperation({
    operationId: 'listPendingReviews',
    summary: 'List the sessions waiting for a reviewer',
    description: 'Oldest first. Page with the opaque nextCursor: pages stay right while reviews are added and decided, on any replica.',
  })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: DEFAULT_LIMIT } })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' }, description: 'The nextCursor of the page before.' })
  @ApiOkResponse({ type: ReviewPageDto, description: 'A page of pending reviews.' })
  @ApiProblems(['VALIDATION_FAILED', 'UNAUTHORIZED', 'STORE_UNAVAILABLE'])
  list(@Query() query: unknown): Promise<ReviewPageDto> {
    const { limit, cursor } = validateBody(ReviewPageQueryDto, { ...(query as object) });
    return this.reviews.page(cursor === undefined ? null : decodeCursor(cursor), limit === undefined ? DEFAULT_LIMIT : Number(limit));
  }

  @Post('sessions/:sessionId/review')
  @HttpCode(200)
  @Admit.internal({ body: { types: ['application/json'], limit: 'json' } })
  @ApiOperation({
    operationId: 'reviewSession',
    summary: "Record a reviewer's decision",
    description:
      "Replaces the decision under review with the reviewer's (REVIEW_ACCEPTED or REVIEW_REJECTED), with a new receipt and a review.completed webhook. Of two reviewers at once, one gets 200 and the other 409.",
  })
  @ApiSessionIdParam()
  @ApiBody({ type: ReviewRequestDto, required: true })
  @ApiOkResponse({ type: SessionViewDto, description: 'The session with the reviewer’s decision and its review done.' })
  @ApiProblems([
    'VALIDATION_FAILED',
    'UNAUTHORIZED',
    'PAYLOAD_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    'SESSION_NOT_FOUND',
    'REVIEW_NOT_PENDING',
    'STORE_UNAVAILABLE',
  ])
  decide(@Param('sessionId', SessionIdPipe) sessionId: string, @Body() body: unknown): Promise<SessionViewDto> {
    const dto = validateBody(ReviewRequestDto, body ?? {});
    return this.reviews.decide(sessionId, { decision: dto.decision, reviewer: dto.reviewer, note: dto.note ?? null });
  }
}
