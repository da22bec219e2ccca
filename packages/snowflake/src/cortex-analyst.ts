import { SnowflakeError } from './errors.js';

// Types of the Cortex Analyst REST API (POST /api/v2/cortex/analyst/message), as Snowflake documents them.

/** A text block: the user's question, or the analyst's explanation or interpretation of it. */
export interface AnalystTextContent {
  type: 'text';
  text: string;
}

/** Questions the analyst suggests when it cannot answer the one asked. */
export interface AnalystSuggestionsContent {
  type: 'suggestions';
  suggestions: string[];
}

/** A verified query of the semantic model that the answer was built from. */
export interface VerifiedQueryUsed {
  name: string;
  question: string;
  sql: string;
  verified_at: number;
  verified_by: string;
}

/** The generated SQL; `confidence.verified_query_used` names the verified query it came from, or is null. */
export interface AnalystSqlContent {
  type: 'sql';
  statement: string;
  confidence?: { verified_query_used: VerifiedQueryUsed | null };
}

/** One content block of a message. */
export type AnalystContent = AnalystTextContent | AnalystSuggestionsContent | AnalystSqlContent;

/** A message of the conversation: the user's (text only) or the analyst's. */
export interface AnalystMessage {
  role: 'user' | 'analyst';
  content: AnalystContent[];
}

/** Which semantic model the question is about: a YAML file on a stage, the YAML itself, or a semantic view. */
export type SemanticModelSource = { semantic_model_file: string } | { semantic_model: string } | { semantic_view: string };

/** The request body: the conversation so far (the last message is the user's) and the semantic model. */
export type AnalystRequest = { messages: AnalystMessage[]; stream?: false } & SemanticModelSource;

/** The answer: the analyst's message, warnings about the semantic model, and metadata. */
export interface AnalystResponse {
  request_id: string;
  message: AnalystMessage & { role: 'analyst' };
  warnings: { message: string }[];
  response_metadata?: Record<string, unknown>;
}

/** How the client authenticates: `Authorization: Bearer <token>` with the documented token type header. */
export interface AnalystAuth {
  token: string;
  /** KEYPAIR_JWT, OAUTH or PROGRAMMATIC_ACCESS_TOKEN (the API's default is OAuth). */
  tokenType: 'KEYPAIR_JWT' | 'OAUTH' | 'PROGRAMMATIC_ACCESS_TOKEN';
}

/** Options of {@link CortexAnalystClient}. */
export interface CortexAnalystClientOptions extends AnalystAuth {
  /** The account URL, e.g. `https://myorg-myaccount.snowflakecomputing.com`. */
  baseUrl: string;
  /** The fetch to use (default the global one; tests pass a recorder). */
  fetch?: typeof fetch;
  /** Milliseconds before a request is given up (default 60 000). */
  timeoutMs?: number;
}

const fail = (message: string, details: Record<string, unknown>): SnowflakeError => new SnowflakeError('SNOWFLAKE_CORTEX_ANALYST', message, details);

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw fail(`Cortex Analyst answer: ${field} is not text`, { field });
  return value;
}

function contentBlock(value: unknown, field: string): AnalystContent {
  if (typeof value !== 'object' || value === null) throw fail(`Cortex Analyst answer: ${field} is not an object`, { field });
  const block = value as Record<string, unknown>;
  switch (block.type) {
    case 'text':
      return { type: 'text', text: text(block.text, `${field}.text`) };
    case 'suggestions': {
      if (!Array.isArray(block.suggestions)) throw fail(`Cortex Analyst answer: ${field}.suggestions is not a list`, { field: `${field}.suggestions` });
      return { type: 'suggestions', suggestions: block.suggestions.map((s, i) => text(s, `${field}.suggestions[${i}]`)) };
    }
    case 'sql': {
      const out: AnalystSqlContent = { type: 'sql', statement: text(block.statement, `${field}.statement`) };
      const confidence = block.confidence as Record<string, unknown> | undefined | null;
      if (confidence !== undefined && confidence !== null) {
        const used = confidence.verified_query_used as Record<string, unknown> | null | undefined;
        if (used === null || used === undefined) out.confidence = { verified_query_used: null };
        else {
          const at = `${field}.confidence.verified_query_used`;
          if (typeof used.verified_at !== 'number') throw fail(`Cortex Analyst answer: ${at}.verified_at is not a number`, { field: `${at}.verified_at` });
          out.confidence = {
            verified_query_used: {
              name: text(used.name, `${at}.name`),
              question: text(used.question, `${at}.question`),
              sql: text(used.sql, `${at}.sql`),
              verified_at: used.verified_at,
              verified_by: text(used.verified_by, `${at}.verified_by`),
            },
          };
        }
      }
      return out;
    }
    default:
      throw fail(`Cortex Analyst answer: ${field}.type ${JSON.stringify(block.type)} is not text, suggestions or sql`, { field: `${field}.type` });
  }
}

/** Checks an answer body against the documented shape; throws `SNOWFLAKE_CORTEX_ANALYST` naming the field. */
export function parseAnalystResponse(body: unknown): AnalystResponse {
  if (typeof body !== 'object' || body === null) throw fail('Cortex Analyst answer is not a JSON object', { field: '' });
  const b = body as Record<string, unknown>;
  const message = b.message as Record<string, unknown> | undefined;
  if (typeof message !== 'object' || message === null) throw fail('Cortex Analyst answer: message is missing', { field: 'message' });
  if (message.role !== 'analyst') throw fail(`Cortex Analyst answer: message.role is ${JSON.stringify(message.role)}, not analyst`, { field: 'message.role' });
  if (!Array.isArray(message.content)) throw fail('Cortex Analyst answer: message.content is not a list', { field: 'message.content' });
  const warnings = b.warnings === undefined ? [] : b.warnings;
  if (!Array.isArray(warnings)) throw fail('Cortex Analyst answer: warnings is not a list', { field: 'warnings' });
  return {
    request_id: text(b.request_id, 'request_id'),
    message: { role: 'analyst', content: message.content.map((c, i) => contentBlock(c, `message.content[${i}]`)) },
    warnings: warnings.map((w, i) => ({ message: text((w as Record<string, unknown> | null)?.message, `warnings[${i}].message`) })),
    ...(typeof b.response_metadata === 'object' && b.response_metadata !== null ? { response_metadata: b.response_metadata as Record<string, unknown> } : {}),
  };
}

/** The SQL of an answer, if it has one (the analyst answers with text and suggestions when it cannot). */
export function analystSql(response: AnalystResponse): AnalystSqlContent | undefined {
  return response.message.content.find((c): c is AnalystSqlContent => c.type === 'sql');
}

/**
 * A small client of the Cortex Analyst REST API: asks a question about a semantic model and returns the typed,
 * checked answer. Keep the returned messages to ask follow-up questions (multi-turn).
 *
 * @example
 * const analyst = new CortexAnalystClient({ baseUrl: 'https://org-acct.snowflakecomputing.com', token, tokenType: 'PROGRAMMATIC_ACCESS_TOKEN' });
 * const answer = await analyst.ask('What is the defect rate per factory line for the last 30 days?', { semantic_model_file: '@DB.S.STAGE/semantic_model.yaml' });
 * analystSql(answer)?.statement;
 */
export class CortexAnalystClient {
  private readonly options: CortexAnalystClientOptions;

  constructor(options: CortexAnalystClientOptions) {
    if (!/^https?:\/\/[^/]+$/.test(options.baseUrl.replace(/\/$/, ''))) {
      throw fail(`baseUrl must be the account URL (https://<account>.snowflakecomputing.com), got ${JSON.stringify(options.baseUrl)}`, { field: 'baseUrl' });
    }
    this.options = { ...options, baseUrl: options.baseUrl.replace(/\/$/, '') };
  }

  /** Sends a conversation (the last message the user's) and returns the analyst's answer. */
  async send(request: AnalystRequest): Promise<AnalystResponse> {
    const last = request.messages.at(-1);
    if (last?.role !== 'user') throw fail('the last message must be the user\'s', { field: 'messages' });
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(`${this.options.baseUrl}/api/v2/cortex/analyst/message`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${this.options.token}`,
          'X-Snowflake-Authorization-Token-Type': this.options.tokenType,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
        body: JSON.stringify({ ...request, stream: false }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
    } catch (error) {
      throw new SnowflakeError('SNOWFLAKE_CONNECT', `Cortex Analyst at ${this.options.baseUrl} could not be reached: ${(error as Error).message}`, { field: 'baseUrl' }, { cause: error });
    }
    const raw = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw fail(`Cortex Analyst answered HTTP ${response.status} with a body that is not JSON`, { field: 'body', status: response.status });
    }
    if (!response.ok) {
      const b = (body ?? {}) as Record<string, unknown>;
      // The documented error body: message, code / error_code, request_id. The token never goes into the error.
      throw fail(`Cortex Analyst refused the request (HTTP ${response.status}${typeof b.error_code === 'string' ? `, ${b.error_code}` : ''}): ${typeof b.message === 'string' ? b.message : 'no message'}`, {
        field: 'status',
        status: response.status,
        ...(typeof b.request_id === 'string' ? { requestId: b.request_id } : {}),
        ...(typeof b.error_code === 'string' ? { errorCode: b.error_code } : {}),
      });
    }
    return parseAnalystResponse(body);
  }

  /** Asks one question (a new conversation) about the semantic model. */
  ask(question: string, model: SemanticModelSource): Promise<AnalystResponse> {
    return this.send({ messages: [{ role: 'user', content: [{ type: 'text', text: question }] }], ...model });
  }
}
