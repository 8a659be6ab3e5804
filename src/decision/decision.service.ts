import { Injectable } from '@nestjs/common';
import type { OzFolder } from '../oz-api/oz-folder';
import { decideBiometry, decideLiveness } from './decision';
import type { LivenessCheck, Verdict } from './decision.types';

/** The decision table (contract §4) as an injectable, so services depend on it like any collaborator. */
@Injectable()
export class DecisionService {
  forLiveness(folder: OzFolder): Verdict {
    return decideLiveness(folder);
  }

  forBiometry(liveness: LivenessCheck, folder: OzFolder): Verdict {
    return decideBiometry(liveness, folder);
  }
}
