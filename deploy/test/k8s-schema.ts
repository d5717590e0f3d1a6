// Strict schemas of the Kubernetes objects the manifests hold, for ajv: every field of every object is
// checked against the API's own definition, and a field the API does not have (a misspelt
// `readinesProbe`) is an error, as `kubectl apply --validate=strict` makes it.
//
// The definitions come from npm packages generated from the published OpenAPI documents, offline:
// kubernetes-types (the Kubernetes API, 1.30) and @kubernetes-models/{keda, prometheus-operator, istio}
// (the CRDs of KEDA, the Prometheus operator and Istio). They ship them as TypeScript declarations, one
// interface per definition with optional fields marked; this module reads those with the TypeScript
// compiler and writes each as a JSON Schema: properties with their types, `required` for the
// non-optional ones, enums for string literal unions, and no other properties.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import ts from 'typescript';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** Where the definition of an apiVersion + kind is: a declaration file and the interface in it. */
function definitionOf(apiVersion: string, kind: string): { file: string; name: string } | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  const crds: Record<string, string> = {
    'keda.sh': '@kubernetes-models/keda',
    'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
    'networking.istio.io': '@kubernetes-models/istio',
  };
  if (crds[group!]) return { file: join(packageDir(crds[group!]!), group!, version!, `${kind}.d.ts`), name: `I${kind}` };
  const builtin: Record<string, string> = {
    core: 'core',
    apps: 'apps',
    autoscaling: 'autoscaling',
    batch: 'batch',
    policy: 'policy',
    'networking.k8s.io': 'networking',
    'rbac.authorization.k8s.io': 'rbac',
  };
  if (builtin[group!]) return { file: join(packageDir('kubernetes-types'), builtin[group!]!, `${version}.d.ts`), name: kind };
  return undefined;
}

type Schema = Record<string, unknown>;

class SchemaWriter {
  readonly defs: Record<string, Schema> = {};
  private readonly names = new Map<ts.Type, string>();

  constructor(private readonly checker: ts.TypeChecker) {}

  /** The schema of a TypeScript type; named object types go to $defs once (some refer to themselves). */
  of(type: ts.Type): Schema {
    const c = this.checker;
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (type.isUnion()) {
      const members = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
      if (members.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return { type: 'boolean' };
      if (members.every((t) => t.isStringLiteral())) return { type: 'string', enum: members.map((t) => (t as ts.StringLiteralType).value) };
      if (members.length === 1) return this.of(members[0]!);
      return { anyOf: members.map((t) => this.of(t)) };
    }
    if (type.isStringLiteral()) return { const: type.value };
    if (type.isNumberLiteral()) return { const: type.value };
    if (type.flags & ts.TypeFlags.String) return { type: 'string' };
    if (type.flags & ts.TypeFlags.Number) return { type: 'number' };
    if (type.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return { type: 'boolean' };
    if (c.isArrayType(type)) return { type: 'array', items: this.of(c.getTypeArguments(type as ts.TypeReference)[0]!) };
    // `A & B` (Istio writes its one-of fields so): one object with the fields of both
    if (type.isIntersection()) return this.object(type);
    if (type.flags & ts.TypeFlags.Object) {
      const named = type.aliasSymbol ?? (type.symbol && type.symbol.name !== '__type' && type.symbol.name !== '__object' ? type.symbol : undefined);
      if (!named) return this.object(type);
      let key = this.names.get(type);
      if (!key) {
        key = `${named.name}_${this.names.size}`;
        this.names.set(type, key);
        this.defs[key] = {}; // placeholder while its properties are written (recursion)
        try {
          this.defs[key] = this.object(type);
        } catch (err) {
          // never leave the placeholder behind: it would accept anything
          this.names.delete(type);
          delete this.defs[key];
          throw err;
        }
      }
      return { $ref: `#/$defs/${key}` };
    }
    throw new Error(`no JSON Schema for the TypeScript type ${c.typeToString(type)}`);
  }

  private object(type: ts.Type): Schema {
    const c = this.checker;
    const index = c.getIndexInfoOfType(type, ts.IndexKind.String);
    const props = c.getPropertiesOfType(type);
    // an interface without fields stands for free-form JSON (FieldsV1, RawExtension, x-preserve-unknown-fields)
    if (props.length === 0 && !index) return { type: 'object' };
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const p of props) {
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      if (!decl) continue;
      properties[p.name] = this.of(c.getTypeOfSymbolAtLocation(p, decl));
      if (!(p.flags & ts.SymbolFlags.Optional)) required.push(p.name);
    }
    return {
      type: 'object',
      properties,
      ...(required.length ? { required } : {}),
      additionalProperties: index ? this.of(index.type) : false,
    };
  }
}

export interface SchemaProblem {
  path: string;
  message: string;
}

/** Validates Kubernetes objects (parsed YAML documents) against the strict schemas of their kind. */
export class KubernetesSchemas {
  private readonly program: ts.Program;
  private readonly writer: SchemaWriter;
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(kinds: Array<{ apiVersion: string; kind: string }>) {
    const files = [...new Set(kinds.map((k) => definitionOf(k.apiVersion, k.kind)?.file).filter((f): f is string => !!f))];
    this.program = ts.createProgram(files, { strict: true, noEmit: true, types: [], moduleResolution: ts.ModuleResolutionKind.Node10, skipLibCheck: true });
    this.writer = new SchemaWriter(this.program.getTypeChecker());
  }

  /** The JSON Schema of one kind, or undefined when no definition of it is known. */
  schemaOf(apiVersion: string, kind: string): Schema | undefined {
    const where = definitionOf(apiVersion, kind);
    const source = where && this.program.getSourceFile(where.file);
    if (!where || !source) return undefined;
    const checker = this.program.getTypeChecker();
    const symbol = checker.getSymbolAtLocation(source)?.exports?.get(ts.escapeLeadingUnderscores(where.name));
    if (!symbol) return undefined;
    const root = this.writer.of(checker.getDeclaredTypeOfSymbol(symbol));
    return { ...root, $defs: this.writer.defs };
  }

  validate(object: { apiVersion?: unknown; kind?: unknown }): SchemaProblem[] {
    const apiVersion = String(object.apiVersion);
    const kind = String(object.kind);
    const key = `${apiVersion} ${kind}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      const schema = this.schemaOf(apiVersion, kind);
      if (!schema) return [{ path: '', message: `no schema for ${kind} of ${apiVersion}: not a kind the API (or a known CRD) has` }];
      validate = this.ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    if (validate(object)) return [];
    return (validate.errors ?? []).map(describe);
  }
}

function describe(e: ErrorObject): SchemaProblem {
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'additionalProperties') return { path, message: `has ${(e.params as { additionalProperty: string }).additionalProperty}, which the API does not know` };
  if (e.keyword === 'required') return { path, message: `lacks ${(e.params as { missingProperty: string }).missingProperty}, which the API requires` };
  if (e.keyword === 'enum') return { path, message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` };
  return { path, message: e.message ?? e.keyword };
}
