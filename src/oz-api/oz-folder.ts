/**
 * Our view of an Oz folder: only what decisions, checks and logs need. The gateway maps the
 * snake_case wire folder into this shape; nothing outside oz-api/ sees the wire format.
 * Unknown or missing values stay as they came (string or null) so that decisions can refuse
 * to accept anything they do not recognise.
 */
/** `QUALITY` or `BIOMETRY` as Oz sends them, or whatever else it may send one day. */
export type OzAnalysisType = string;

export interface OzAnalysis {
  type: OzAnalysisType;
  state: string | null;
  resolutionStatus: string | null;
  errorCode: number | null;
  errorMessage: string | null;
  /** QUALITY: `results_media[].results_data.confidence_spoofing`, one per media item that had one. */
  confidenceSpoofing: number[];
  /** BIOMETRY: `results_data.min_confidence`. */
  minConfidence: number | null;
}

export interface OzFolder {
  folderId: string | null;
  resolutionStatus: string | null;
  systemResolution: string | null;
  eventSessionId: string | null;
  analyses: OzAnalysis[];
  /** The first JPEG found in the QUALITY analysis' output images, bytes exactly as Oz sent them. */
  bestShot: Buffer | null;
}
