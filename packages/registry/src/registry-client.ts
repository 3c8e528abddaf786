import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { DevkitError, findingError, machineError, redact, usageError, writeFileAtomic } from '@devkit/core';
import { type Digest, withStoreLock } from '@devkit/artifact';
import { findCredentials, mergeScopes, parseChallenge, secretsOf, type RegistryCredentials } from './registry-auth.js';

const MANIFEST_ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json';
/** Upload chunk: big enough that per-request overhead vanishes (each one a resumption point). */
const CHUNK = 256 * 1024 * 1024;

type RegistryRequest = {
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
  scope?: string;
  allow?: number[];
  idempotent?: boolean;
};

/** Answers worth one more try after a pause; the pauses between the tries. */
const TRANSIENT_STATUS = [429, 500, 502, 503, 504];
const RETRY_DELAYS_MS = [100, 400, 1_200];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The stream itself, or one that tells `onBytes` the size of each chunk as it passes. */
function countBytes(source: Readable, onBytes: ((bytes: number) => void) | undefined): Readable {
  if (!onBytes) return source;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
  source.on('error', (error) => counter.destroy(error));
  return source.pipe(counter);
}

export interface RegistryOptions {
  env: NodeJS.ProcessEnv;
  /** Allow plain http to a host that is not loopback. */
  insecure?: boolean;
  /** Where interrupted uploads are remembered (so a re-run resumes them). */
  stateDir: string;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * A client of the OCI Distribution API: blobs (HEAD, GET checked against the digest,
 * chunked upload that resumes, cross-repository mount), manifests and tags. https by
 * default; http only for loopback or `insecure`. Basic and Bearer-token auth from the
 * challenge, credentials from the environment or the Docker config; no secret ever
 * appears in an error.
 */
export class RegistryClient {
  readonly base: string;
  readonly host: string;
  /** Repository prefix from the URL path (`registry.example/team` → `team/`). */
  readonly namespace: string;
  private credentials: RegistryCredentials | undefined;
  private readonly tokens = new Map<string, string>();
  private secrets: string[] = [];

  constructor(
    url: string,
    private readonly options: RegistryOptions,
  ) {
    const withScheme = /^[a-z]+:\/\//i.test(url) ? url : `https://${url}`;
    let parsed: URL;
    try {
      parsed = new URL(withScheme);
    } catch {
      throw usageError('E_REGISTRY_URL', `"${url}" is not a registry URL`, {
        hint: 'use https://host[:port][/namespace] (http:// only for 127.0.0.1 or with insecure)',
      });
    }
    if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname) && !options.insecure) {
      throw usageError(
        'E_REGISTRY_INSECURE',
        `refusing plain http to ${parsed.host}: credentials and artifacts would travel unencrypted`,
        {
          hint: 'use https://, or set "insecure": true for that registry in devkit.json if it really is a trusted network',
        },
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw usageError('E_REGISTRY_URL', `"${url}": only http(s) registries are supported`);
    this.base = `${parsed.protocol}//${parsed.host}`;
    this.host = parsed.host;
    const ns = parsed.pathname.replace(/^\/+|\/+$/g, '');
    this.namespace = ns ? `${ns}/` : '';
  }

  /** A label for messages: the URL without credentials. */
  get label(): string {
    return `${this.base}${this.namespace ? `/${this.namespace.slice(0, -1)}` : ''}`;
  }

  repo(name: string): string {
    return `${this.namespace}${name}`;
  }

  private async creds(): Promise<RegistryCredentials> {
    if (!this.credentials) {
      this.credentials = await findCredentials(this.host, this.options.env);
      this.secrets = secretsOf(this.credentials);
    }
    return this.credentials;
  }

  /**
   * One HTTP request with auth negotiation; network failures are exit 3 naming the registry.
   * A request that can safely be sent again (GET, HEAD, or one marked `idempotent` whose body
   * is in memory) is retried on a transient answer: 429, 502–504, a dropped connection, or a
   * 500. distribution answers 500 when a reader races a writer rewriting the same link file
   * (PUTting a tag rewrites the revision link of its manifest), so a 500 on a read is transient.
   */
  async request(method: string, path: string, init: RegistryRequest = {}): Promise<Response> {
    const retryable =
      (method === 'GET' || method === 'HEAD' || init.idempotent === true) && !(init.body instanceof Readable);
    for (let attempt = 1; ; attempt++) {
      const last = !retryable || attempt >= RETRY_DELAYS_MS.length + 1;
      let response: Response;
      try {
        response = await this.requestOnce(method, path, {
          ...init,
          allow: last ? init.allow : [...(init.allow ?? []), ...TRANSIENT_STATUS],
        });
      } catch (error) {
        // A refused connection means nothing listens: asking again only delays the answer.
        const dropped =
          error instanceof DevkitError &&
          error.code === 'E_REGISTRY_UNREACHABLE' &&
          error.details?.cause !== 'ECONNREFUSED';
        if (last || !dropped) throw error;
        await sleep(RETRY_DELAYS_MS[attempt - 1]!);
        continue;
      }
      if (last || !TRANSIENT_STATUS.includes(response.status) || (init.allow ?? []).includes(response.status))
        return response;
      const after = Number(response.headers.get('retry-after'));
      await response.arrayBuffer().catch(() => undefined);
      await sleep(response.status === 429 && after > 0 ? Math.min(after * 1000, 5_000) : RETRY_DELAYS_MS[attempt - 1]!);
    }
  }

  private async requestOnce(method: string, path: string, init: RegistryRequest): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.base}${path}`;
    const scope = init.scope ?? '';
    const send = async (auth: string | undefined) => {
      const headers: Record<string, string> = { ...init.headers, 'user-agent': 'devkit' };
      if (auth) headers.authorization = auth;
      const body = init.body instanceof Readable ? (Readable.toWeb(init.body) as unknown as ReadableStream) : init.body;
      try {
        return await fetch(url, {
          method,
          headers,
          body,
          redirect: 'follow',
          ...(body ? { duplex: 'half' } : {}),
        } as RequestInit);
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw machineError(
          'E_REGISTRY_UNREACHABLE',
          `the registry ${this.label} does not answer (${cause?.code ?? cause?.message ?? (error as Error).message}) during ${method} ${redact(new URL(url).pathname, this.secrets)}`,
          {
            hint: 'start it (`devkit up registry` for the local one) or check the URL and the network',
            details: { cause: cause?.code ?? 'unknown' },
          },
        );
      }
    };
    let response = await send(this.tokens.get(scope));
    if (response.status === 401) {
      const challenge = parseChallenge(response.headers.get('www-authenticate'));
      await response.arrayBuffer().catch(() => undefined);
      const auth = await this.authorize(challenge, scope);
      if (auth) {
        this.tokens.set(scope, auth);
        response = await send(auth);
      }
      if (response.status === 401 || response.status === 403) {
        await response.arrayBuffer().catch(() => undefined);
        const creds = await this.creds();
        throw machineError(
          'E_REGISTRY_AUTH',
          `the registry ${this.label} refused ${creds.kind === 'none' ? 'anonymous access' : 'the credentials'} (HTTP ${response.status})`,
          {
            hint:
              creds.kind === 'none'
                ? `log in (\`docker login ${this.host}\`) or set DEVKIT_REGISTRY_USERNAME and DEVKIT_REGISTRY_PASSWORD`
                : `check the credentials for ${this.host} (DEVKIT_REGISTRY_* or ~/.docker/config.json)`,
          },
        );
      }
    }
    if (!response.ok && !(init.allow ?? []).includes(response.status)) {
      const text = redact((await response.text().catch(() => '')).slice(0, 300), this.secrets);
      const code = response.status >= 500 ? 'E_REGISTRY_SERVER' : 'E_REGISTRY_REQUEST';
      const make = response.status >= 500 ? machineError : findingError;
      throw make(code, `${method} ${new URL(url).pathname} on ${this.label} failed: HTTP ${response.status} ${text}`);
    }
    return response;
  }

  private async authorize(challenge: ReturnType<typeof parseChallenge>, scope: string): Promise<string | undefined> {
    const creds = await this.creds();
    if (!challenge) return undefined;
    if (challenge.scheme === 'basic') {
      return creds.kind === 'basic'
        ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`
        : undefined;
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) return undefined;
    if (creds.kind === 'token' && !challenge.params.realm) return `Bearer ${creds.token}`;
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    for (const wanted of mergeScopes(scope, challenge.params.scope)) realm.searchParams.append('scope', wanted);
    const headers: Record<string, string> = {};
    if (creds.kind === 'basic')
      headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    if (creds.kind === 'token') headers.authorization = `Bearer ${creds.token}`;
    let response: Response;
    try {
      response = await fetch(realm, { headers });
    } catch {
      throw machineError(
        'E_REGISTRY_UNREACHABLE',
        `the token service of ${this.label} (${realm.host}) does not answer`,
      );
    }
    if (!response.ok) return undefined;
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (token) this.secrets.push(token);
    return token ? `Bearer ${token}` : undefined;
  }

  private scope(repo: string, write: boolean): string {
    return `repository:${repo}:${write ? 'pull,push' : 'pull'}`;
  }

  /** Checks that the registry speaks the API (GET /v2/). */
  async ping(): Promise<void> {
    await this.request('GET', '/v2/');
  }

  async hasBlob(repo: string, digest: Digest): Promise<boolean> {
    const r = await this.request('HEAD', `/v2/${repo}/blobs/${digest}`, {
      scope: this.scope(repo, false),
      allow: [404],
    });
    return r.status === 200;
  }

  /** The blob as a stream that fails at its end if the bytes do not hash to the digest. */
  async getBlob(repo: string, digest: Digest): Promise<Readable> {
    const r = await this.request('GET', `/v2/${repo}/blobs/${digest}`, { scope: this.scope(repo, false) });
    const hash = createHash('sha256');
    const label = this.label;
    const source = Readable.fromWeb(r.body as never);
    return source.pipe(
      new Transform({
        transform(chunk: Buffer, _e, done) {
          hash.update(chunk);
          done(null, chunk);
        },
        flush(done) {
          const actual = `sha256:${hash.digest('hex')}`;
          done(
            actual === digest
              ? null
              : findingError(
                  'E_BLOB_CORRUPT',
                  `the registry ${label} served ${repo}@${digest} with bytes that hash to ${actual}: not used`,
                  { hint: 'the registry storage is damaged: push the artifact again from a good copy' },
                ),
          );
        },
      }),
    );
  }

  /** Mounts a blob from another repository of the same registry; true when it worked. */
  async mountBlob(repo: string, digest: Digest, from: string): Promise<boolean> {
    const r = await this.request(
      'POST',
      `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
      { scope: `${this.scope(repo, true)} ${this.scope(from, false)}`, allow: [202] },
    );
    if (r.status === 202) {
      // Not mounted: an upload session was opened instead; cancel it.
      const location = r.headers.get('location');
      if (location)
        await this.request('DELETE', this.absolute(location), {
          scope: this.scope(repo, true),
          allow: [404, 405],
        }).catch(() => undefined);
      return false;
    }
    return r.status === 201;
  }

  private absolute(location: string): string {
    return location.startsWith('http') ? location : `${this.base}${location}`;
  }

  private uploadStatePath(repo: string, digest: Digest): string {
    return join(
      this.options.stateDir,
      this.host.replace(/[^A-Za-z0-9.-]/g, '_'),
      repo.replaceAll('/', '+'),
      `${digest.slice(7)}.json`,
    );
  }

  /**
   * Uploads a file as a blob in 64 MiB PATCH chunks, remembering the upload URL after each
   * so an interrupted upload resumes where the registry says it stopped; the closing PUT
   * names the digest, which the registry checks.
   */
  async uploadBlob(
    repo: string,
    digest: Digest,
    size: number,
    file: string,
    /** Told of each piece of the file as it is handed to the request (bytes), for progress. */
    onBytes?: (bytes: number) => void,
  ): Promise<{ resumedAt: number }> {
    const statePath = this.uploadStatePath(repo, digest);
    await mkdir(dirname(statePath), { recursive: true });
    // One upload of a blob at a time from this machine: two pushes sharing its resumption
    // record would PATCH one session from two sides. The second one in finds the blob there.
    return withStoreLock(
      `${statePath}.lock`,
      { what: `the upload of ${digest} to ${this.label}/${repo}`, timeoutMs: 60 * 60_000 },
      async () => {
        if (await this.hasBlob(repo, digest)) return { resumedAt: 0 };
        return this.uploadBlobOnce(repo, digest, size, file, statePath, onBytes);
      },
    );
  }

  private async uploadBlobOnce(
    repo: string,
    digest: Digest,
    size: number,
    file: string,
    statePath: string,
    onBytes: ((bytes: number) => void) | undefined,
  ): Promise<{ resumedAt: number }> {
    const scope = this.scope(repo, true);
    let location: string | undefined;
    let offset = 0;
    const saved = await readFile(statePath, 'utf8')
      .then((t) => JSON.parse(t) as { location: string })
      .catch(() => undefined);
    if (saved) {
      // The registry's answer says how much it holds. Distribution (2.x) invalidates a session
      // whose last PATCH was cut off mid-way (its signed offset no longer matches), so after a
      // registry crash the interrupted blob starts over; blobs finished before it are not re-sent.
      const r = await this.request('GET', this.absolute(saved.location), { scope, allow: [404, 400] });
      if (r.status === 204 || r.status === 202) {
        const range = /^(\d+)-(\d+)$/.exec(r.headers.get('range') ?? '');
        location = r.headers.get('location') ?? saved.location;
        offset = range ? Number(range[2]) + 1 : 0;
      }
    }
    if (!location) {
      const r = await this.request('POST', `/v2/${repo}/blobs/uploads/`, { scope, headers: { 'content-length': '0' } });
      location = r.headers.get('location') ?? undefined;
      if (!location) throw findingError('E_REGISTRY_PROTOCOL', `${this.label} opened an upload without a Location`);
    }
    const resumedAt = offset;
    while (offset < size) {
      await writeFileAtomic(statePath, JSON.stringify({ location }));
      const end = Math.min(size, offset + CHUNK) - 1;
      const r = await this.request('PATCH', this.absolute(location), {
        scope,
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${end}`,
          'content-length': String(end - offset + 1),
        },
        body: countBytes(createReadStream(file, { start: offset, end, highWaterMark: 1 << 20 }), onBytes),
      });
      location = r.headers.get('location') ?? location;
      offset = end + 1;
    }
    await writeFileAtomic(statePath, JSON.stringify({ location }));
    const url = new URL(this.absolute(location));
    url.searchParams.set('digest', digest);
    await this.commitUpload(repo, digest, () =>
      this.request('PUT', url.toString(), { scope, headers: { 'content-length': '0' } }),
    );
    await rm(statePath, { force: true });
    return { resumedAt };
  }

  /** Uploads small bytes in one request (POST then PUT with the body). */
  async uploadBytes(repo: string, digest: Digest, bytes: Buffer): Promise<void> {
    const scope = this.scope(repo, true);
    const r = await this.request('POST', `/v2/${repo}/blobs/uploads/`, { scope, headers: { 'content-length': '0' } });
    const url = new URL(this.absolute(r.headers.get('location') ?? ''));
    url.searchParams.set('digest', digest);
    await this.commitUpload(repo, digest, () =>
      this.request('PUT', url.toString(), {
        scope,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
        body: bytes,
      }),
    );
  }

  /**
   * The closing PUT of an upload. distribution can answer 500 when another client commits
   * the same blob at the same moment (both rewrite its link files); the blob is then there,
   * checked against its digest by the registry, and that is all the upload was for.
   */
  private async commitUpload(repo: string, digest: Digest, put: () => Promise<Response>): Promise<void> {
    try {
      await put();
    } catch (error) {
      if (!(error instanceof DevkitError && error.code === 'E_REGISTRY_SERVER') || !(await this.hasBlob(repo, digest)))
        throw error;
    }
  }

  /**
   * PUTs a manifest (content-addressed, so sending it twice is harmless). distribution checks
   * every blob it names through per-repository link files that any concurrent commit of the
   * same blob rewrites, so a push racing another push of the same blobs (or, for an index
   * such as the referrers tag, of the same manifests) can be told MANIFEST_BLOB_UNKNOWN for
   * one that is there. It is looked up again: present, the PUT is sent again after a pause;
   * really absent, the error stands.
   */
  async putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const r = await this.request('PUT', `/v2/${repo}/manifests/${reference}`, {
        scope: this.scope(repo, true),
        headers: { 'content-type': mediaType },
        body: bytes,
        idempotent: true,
        allow: [400],
      });
      if (r.status !== 400) return;
      const text = redact(await r.text().catch(() => ''), this.secrets);
      const unknown = [...text.matchAll(/"code":"MANIFEST_BLOB_UNKNOWN"[^}]*"detail":"(sha256:[0-9a-f]{64})"/g)].map(
        (m) => m[1] as Digest,
      );
      // An index names manifests (distribution says "blob" for those too): either kind counts.
      const present = async (d: Digest) => (await this.hasBlob(repo, d)) || (await this.resolveTag(repo, d)) === d;
      const stillThere = unknown.length > 0 && (await Promise.all(unknown.map(present))).every(Boolean);
      if (!stillThere || attempt > RETRY_DELAYS_MS.length) {
        throw findingError(
          'E_REGISTRY_REQUEST',
          `PUT /v2/${repo}/manifests/${reference} on ${this.label} failed: HTTP 400 ${text.slice(0, 300)}`,
        );
      }
      await sleep(RETRY_DELAYS_MS[attempt - 1]!);
    }
  }

  /** A manifest's bytes, checked: against the digest asked for, or the digest the registry names for a tag. */
  async getManifest(
    repo: string,
    reference: string,
  ): Promise<{ bytes: Buffer; digest: Digest; mediaType: string } | undefined> {
    const r = await this.request('GET', `/v2/${repo}/manifests/${reference}`, {
      scope: this.scope(repo, false),
      headers: { accept: MANIFEST_ACCEPT },
      allow: [404],
    });
    if (r.status === 404) {
      await r.arrayBuffer().catch(() => undefined);
      return undefined;
    }
    const bytes = Buffer.from(await r.arrayBuffer());
    const digest: Digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const expected = reference.startsWith('sha256:') ? reference : r.headers.get('docker-content-digest');
    if (expected && expected !== digest) {
      throw findingError(
        'E_BLOB_CORRUPT',
        `the registry ${this.label} served manifest ${repo}:${reference} with bytes that hash to ${digest}, not ${expected}: not used`,
      );
    }
    return { bytes, digest, mediaType: r.headers.get('content-type') ?? '' };
  }

  /** The digest a tag points to, without fetching the manifest (HEAD). */
  async resolveTag(repo: string, tag: string): Promise<Digest | undefined> {
    const r = await this.request('HEAD', `/v2/${repo}/manifests/${tag}`, {
      scope: this.scope(repo, false),
      headers: { accept: MANIFEST_ACCEPT },
      allow: [404],
    });
    if (r.status === 404) return undefined;
    const digest = r.headers.get('docker-content-digest');
    if (digest && /^sha256:[a-f0-9]{64}$/.test(digest)) return digest as Digest;
    return (await this.getManifest(repo, tag))?.digest;
  }
}
