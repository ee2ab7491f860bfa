/** Public surface of the Assay-Android engine: the engine and its signals. */
export { createAssayAndroidEngine, detectAndroid, ASSAY_ANDROID_RULES_DATE, type ApkFacts } from './assay-android-engine.js';
export { axmlStrings } from './axml-strings.js';
export { ANDROID_RULES } from './android-signals.js';
