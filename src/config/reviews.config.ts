import { IsBoolean } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { ToBoolean } from './transforms';

class ReviewsEnvironment {
  /** `true`: every inconclusive decision goes to human review, not only REVIEW_REQUIRED (docs/api.md §15). */
  @ToBoolean()
  @IsBoolean({ message: 'must be true or false' })
  REVIEW_INCONCLUSIVE = false;
}

export const reviewsConfig = defineNamespace('reviews', ReviewsEnvironment, (env) => ({ inconclusive: env.REVIEW_INCONCLUSIVE }));
export type ReviewsConfig = ValueOf<typeof reviewsConfig>;
