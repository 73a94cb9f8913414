/** The local platform's default address; `--api` or MLOPS_API_URL point the CLI elsewhere. */
export const DEFAULT_API_URL = 'http://127.0.0.1:8787';

/** A problem+json answer from the API, kept whole so the CLI can print the fields at fault. */
export class ApiProblemError extends Error {
  readonly status: number;
  readonly problem: {
    title?: string;
    detail?: string;
    errors?: { field: string; rule: string; message: string }[];
  };
  constructor(status: number, problem: ApiProblemError['problem']) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiProblemError';
    this.status = status;
    this.problem = problem;
  }
}

export class ApiUnreachableError extends Error {
  constructor(url: string, options: { cause: unknown }) {
    super(
      `Cannot reach the API at ${url}. Is the local platform running (npm start), or is --api right?`,
      options,
    );
    this.name = 'ApiUnreachableError';
  }
}

export interface ApiClientOptions {
  readonly baseUrl: string;
  /** Sign with SigV4 (API Gateway IAM authorization). Default: for any host that is not loopback. */
  readonly sign?: boolean;
  readonly region?: string;
  /** Sent as `x-mlops-actor`; the local platform records it as the caller. A deployed API ignores it. */
  readonly actor?: string;
  readonly fetch?: typeof fetch;
}

const isLoopback = (url: URL): boolean => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/** `abc123.execute-api.eu-west-1.amazonaws.com` → `eu-west-1`. */
export const regionOfApiHost = (host: string): string | undefined =>
  /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host)?.[1];

/** A small HTTP client for the platform API: JSON in and out, SigV4 against a deployed API. */
export class ApiClient {
  readonly baseUrl: URL;
  /** Whether requests are SigV4-signed (a deployed API), as opposed to the local platform. */
  readonly signs: boolean;
  readonly #region: string | undefined;
  readonly #fetch: typeof fetch;
  /** Who the CLI says it is to the local platform. */
  readonly actor: string | undefined;

  constructor(options: ApiClientOptions) {
    this.actor = options.actor;
    this.baseUrl = new URL(options.baseUrl);
    this.signs = options.sign ?? !isLoopback(this.baseUrl);
    this.#region = options.region ?? regionOfApiHost(this.baseUrl.hostname);
    this.#fetch = options.fetch ?? fetch;
  }

  /** A text answer (e.g. application/x-ndjson), with the same errors as `request`. */
  async requestText(method: string, path: string): Promise<string> {
    return this.#send(method, path, undefined, (text) => text) as Promise<string>;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.#send(method, path, body, (text) => (text ? safeJson(text) : undefined)) as Promise<T>;
  }

  async #send(
    method: string,
    path: string,
    body: unknown,
    decode: (text: string) => unknown,
  ): Promise<unknown> {
    const url = new URL(
      path.replace(/^\//, ''),
      this.baseUrl.href.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`,
    );
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    if (this.actor) headers['x-mlops-actor'] = this.actor;
    const signed = this.signs ? await this.#signed(method, url, headers, payload) : headers;
    let response: Response;
    try {
      response = await this.#fetch(url, { method, headers: signed, body: payload });
    } catch (cause) {
      throw new ApiUnreachableError(this.baseUrl.href, { cause });
    }
    const text = await response.text();
    if (!response.ok)
      throw new ApiProblemError(
        response.status,
        ((text ? safeJson(text) : undefined) ?? { detail: text }) as never,
      );
    return decode(text);
  }

  async #signed(method: string, url: URL, headers: Record<string, string>, body?: string) {
    if (!this.#region) throw new Error('Cannot tell the API region from its URL: pass --region.');
    // Loaded on first signed request only: the local platform needs none of it, and it is most of
    // the CLI's start-up time.
    const [{ defaultProvider }, { Hash }, { SignatureV4 }] = await Promise.all([
      import('@aws-sdk/credential-provider-node'),
      import('@smithy/hash-node'),
      import('@smithy/signature-v4'),
    ]);
    const signer = new SignatureV4({
      service: 'execute-api',
      region: this.#region,
      credentials: defaultProvider(),
      sha256: Hash.bind(null, 'sha256'),
    });
    const request = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      // SigV4 signs the host header; fetch sets it itself, so it is dropped again after signing.
      headers: { ...headers, host: url.host },
      ...(body !== undefined ? { body } : {}),
    });
    const { host: _host, ...rest } = request.headers;
    return rest;
  }
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
};
