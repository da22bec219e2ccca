/** One file of an emitted project or app (path relative to its folder). */
export interface EmittedFile {
  path: string;
  content: string;
}
