import { IsOptional, IsString } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';

class DiagnosticsEnvironment {
  @IsOptional()
  @IsString()
  DIAGNOSTICS_DIR?: string;
}

export const diagnosticsConfig = defineNamespace('diagnostics', DiagnosticsEnvironment, (env) => ({ dir: env.DIAGNOSTICS_DIR ?? null }));
export type DiagnosticsConfig = ValueOf<typeof diagnosticsConfig>;
