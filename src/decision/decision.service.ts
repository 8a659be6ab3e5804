import type { AnalysisReport, Assessment, LivenessCheck } from './decision.types';
import { decideBiometry, decideLiveness } from './decision';

/**
 * The decision table (docs/api.md §4) as an injectable, so that the features depend on it as on any
 * collaborator. A plain class: the table stays free of the framework.
 */
export class DecisionService {
  forLiveness(report: AnalysisReport): Assessment {
    return decideLiveness(report);
  }

  forBiometry(liveness: LivenessCheck, report: AnalysisReport): Assessment {
    return decideBiometry(liveness, report);
  }
}
