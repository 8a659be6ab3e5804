export { startOzEmulator, EMULATOR_WARNING } from './server';
export type { OzEmulator, OzEmulatorOptions } from './server';
export type { RecordedRequest } from './spy';
export type { FaultSpec, FaultKind, FaultRoute } from './faults';
export { buildContainer, openContainer, isScenario, SCENARIOS, DEFAULT_PERSON, DEFAULT_MEDIA_BYTES, DEFAULT_FAULT_DELAY_MS } from './container';
export type { Scenario, BuildContainerOptions } from './container';
export { buildReferenceImage, buildBestShot, personOfImage, isJpeg } from './images';
export { OPERATOR_PERSON } from './biometry';
export { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from './tokens';
