import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** Where the test finds a request's route and its response schemas: the generated document. */
interface OpenApiDocument {
  servers?: { url: string }[];
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components?: unknown;
}

const docId = 'https://crmkit.example/openapi.json';

/**
 * Checks responses against the OpenAPI document the app generates: the
 * request's route must be in it, the status one the route declares, and a
 * body valid for the schema declared for that status and media type.
 */
export class OpenApiCheck {
  readonly #ajv: Ajv2020;
  readonly #routes: { method: string; pattern: RegExp; template: string }[];
  readonly #compiled = new Map<string, ValidateFunction>();
  readonly #base: string;

  constructor(readonly doc: OpenApiDocument) {
    this.#ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats.default(this.#ajv);
    this.#ajv.addSchema({ $id: docId, components: doc.components ?? {} });
    this.#base = doc.servers?.[0]?.url ?? '';
    this.#routes = Object.entries(doc.paths).flatMap(([template, methods]) => Object.keys(methods).map((method) => ({
      method, template,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    })));
  }

  /** Throws, naming what is wrong, unless the response is one the document describes. */
  check(method: string, url: string, status: number, contentType: string | null, body: unknown): void {
    const path = new URL(url, 'http://x').pathname;
    if (!path.startsWith(this.#base)) return;
    const local = path.slice(this.#base.length);
    const route = this.#routes.find((r) => r.method === method.toLowerCase() && r.pattern.test(local));
    if (!route) throw new Error(`${method} ${local} is not in the OpenAPI document`);
    const declared = this.doc.paths[route.template]![route.method]!.responses[String(status)];
    if (!declared) throw new Error(`${method} ${route.template} answered ${status}, which the document does not declare`);
    if (!declared.content) {
      if (body !== undefined && body !== '') throw new Error(`${method} ${route.template} ${status} declares no body but sent one`);
      return;
    }
    const mediaType = (contentType ?? '').split(';')[0]!.trim();
    const media = declared.content[mediaType];
    if (!media) throw new Error(`${method} ${route.template} ${status} sent ${mediaType}, the document declares ${Object.keys(declared.content).join(', ')}`);
    const key = `${route.method} ${route.template} ${status} ${mediaType}`;
    let validate = this.#compiled.get(key);
    if (!validate) {
      const schema = JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', `"${docId}#/components/`));
      validate = this.#ajv.compile(schema);
      this.#compiled.set(key, validate);
    }
    if (!validate(body)) {
      throw new Error(`${key}: the body does not match the document: ${this.#ajv.errorsText(validate.errors, { separator: '; ' })}\n${JSON.stringify(body).slice(0, 2000)}`);
    }
  }
}
