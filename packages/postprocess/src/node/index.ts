export { evaluateFiles, readEvalData, type EvalSources } from './read-eval-data.js';
