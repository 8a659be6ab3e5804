export { ozConfig, type OzConfig } from './oz.config';
export { limitsConfig, type LimitsConfig } from './limits.config';
export { sessionConfig, type SessionConfig } from './session.config';
export { httpConfig, type HttpConfig } from './http.config';
export { validateEnvironment, InvalidConfigurationError } from './environment';

import { httpConfig } from './http.config';
import { limitsConfig } from './limits.config';
import { ozConfig } from './oz.config';
import { sessionConfig } from './session.config';

export const configNamespaces = [ozConfig, limitsConfig, sessionConfig, httpConfig];
