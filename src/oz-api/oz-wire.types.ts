/**
 * Oz API Instant wire types (snake_case, as Oz sends them). Everything is optional and loosely
 * typed on purpose: the contract marks much of the response as [likely] or [unknown], so the
 * mapper checks every value before using it.
 */
export interface OzWireResultsMedia {
  results_data?: { confidence_spoofing?: unknown } | null;
  output_images?: unknown;
}

export interface OzWireAnalysis {
  type?: unknown;
  state?: unknown;
  resolution_status?: unknown;
  error_code?: unknown;
  error_message?: unknown;
  results_data?: { min_confidence?: unknown; max_confidence?: unknown } | null;
  results_media?: unknown;
}

export interface OzWireFolder {
  folder_id?: unknown;
  resolution_status?: unknown;
  system_resolution?: unknown;
  meta_data?: { event_session_id?: unknown } | null;
  analyses?: unknown;
}

export interface OzWireError {
  error_code?: unknown;
  error_message?: unknown;
  details?: unknown;
}
