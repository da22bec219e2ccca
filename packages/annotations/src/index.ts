export type { Box, Dataset, ImageRecord, Split } from './model.js';
export { DEEPPCB_CLASSES } from './model.js';
