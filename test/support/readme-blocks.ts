/** One fenced code block of a Markdown file. */
export interface FencedBlock {
  /** The file it came from, as given. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The first word of the info string (`ts`, `bash`, ...), lower case; '' when none. */
  lang: string;
  /** The other words of the info string (e.g. `python`, `sketch`). */
  tags: string[];
  /** The text of the nearest `#`/`##`/`###` heading above it. */
  heading: string;
  /** The block's text, ending with a newline. */
  code: string;
}

/** The fenced (```) code blocks of a Markdown text, in order. */
export function fencedBlocks(markdown: string, file: string): FencedBlock[] {
  const lines = markdown.split('\n');
  const blocks: FencedBlock[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const title = /^#{1,3} (.+)$/.exec(text);
    if (title) heading = title[1]!.trim();
    const open = /^```(.*)$/.exec(text);
    if (!open) continue;
    const [lang = '', ...tags] = open[1]!.trim().split(/\s+/).filter((w) => w !== '');
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`${file}:${start + 1}: code block never closed`);
    blocks.push({ file, line: start + 1, lang: lang.toLowerCase(), tags, heading, code: `${body.join('\n')}\n` });
  }
  return blocks;
}
