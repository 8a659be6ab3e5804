import type { Logger } from '@nestjs/common';
import type { Decision } from '../decision/decision.types';

/** The one line per analysis of docs/api.md §6: identifiers and outcome only, never bytes or tokens. */
export interface AnalysisLogLine {
  analysis: 'liveness' | 'biometry';
  requestId: string;
  sessionId: string;
  folderId: string | null;
  eventSessionId: string | null;
  ozStatus: number | null;
  ozErrorCode: number | null;
  decision: Decision | null;
  durationMs: number;
}

export function logAnalysis(logger: Logger, line: AnalysisLogLine): void {
  logger.log({ ...line, durationMs: Math.round(line.durationMs) }, `${line.analysis} analysis`);
}
