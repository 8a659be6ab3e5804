import { Module } from '@nestjs/common';
import { SessionModule } from '../session/session.module';
import { ReviewController } from './review.controller';
import { ReviewService } from './review.service';

@Module({
  imports: [SessionModule],
  controllers: [ReviewController],
  providers: [ReviewService],
})
export class ReviewModule {}
