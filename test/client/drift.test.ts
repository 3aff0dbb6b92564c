import { NestFactory } from '@nestjs/core';
import * as path from 'node:path';
import ts from 'typescript';
import { ROUTES } from '@yieldflow/client';
import { AppModule } from '../../apps/api/src/app.module';
import { openApiDocument } from '../../apps/api/src/openapi';
import { testConfig } from '../support/redis';

/**
 * The api and libs/client cannot drift: every client route is an operation of the OpenAPI document the api
 * generates, and the schemas of its body and answers have the properties of the contracts' types the client
 * is typed with (same names, same optionality, same primitive types and enums), checked with the TypeScript
 * compiler against libs/contracts, recursively into nested views.
 */
/** What the test reads of an operation's body or answer, and of a query parameter. */
type Content = { content?: Record<string, { schema?: Schema }> };
type Parameter = { in: string; name: string; required?: boolean; schema?: Schema };
type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  oneOf?: Schema[];
  allOf?: Schema[];
};

const root = path.resolve(__dirname, '../..');
function contractsChecker(): { checker: ts.TypeChecker; typeOf(name: string): ts.Type } {
  const { config } = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const index = path.join(root, 'libs/contracts/src/index.ts');
  const program = ts.createProgram([index], parsed.options);
  const checker = program.getTypeChecker();
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(index)!)!);
  return {
    checker,
    typeOf(name) {
      const symbol = exports.find((e) => e.name === name);
      if (!symbol) throw new Error(`libs/contracts exports no ${name}`);
      return checker.getDeclaredTypeOfSymbol(
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol,
      );
    },
  };
}

describe('api and client do not drift', () => {
  let doc: ReturnType<typeof openApiDocument>;
  let c: ReturnType<typeof contractsChecker>;
  beforeAll(async () => {
    // preview: the app's providers are not instantiated, no Redis is needed
    const app = await NestFactory.create(AppModule.forRoot(testConfig(), 'silent'), { preview: true, logger: false });
    doc = openApiDocument(app);
    await app.close();
    c = contractsChecker();
  });

  const resolve = (s: Schema): Schema => {
    if (s.allOf?.length === 1) return resolve(s.allOf[0]); // a $ref with a description of its own
    if (!s.$ref) return s;
    const found = (doc.components?.schemas as Record<string, Schema>)[s.$ref.replace('#/components/schemas/', '')];
    if (!found) throw new Error(`no schema ${s.$ref}`);
    return found;
  };

  /** Differences between a contracts type and a schema, as "where: what" lines. */
  function compare(type: ts.Type, schema: Schema, where: string, seen = new Set<ts.Type>()): string[] {
    const { checker } = c;
    if (seen.has(type)) return [];
    seen.add(type);
    const s = resolve(schema);
    const out: string[] = [];
    const props = checker.getPropertiesOfType(type);
    const inSchema = Object.keys(s.properties ?? {});
    for (const p of props) {
      const optional = (p.flags & ts.SymbolFlags.Optional) !== 0;
      const ps = s.properties?.[p.name];
      if (!ps) {
        out.push(`${where}.${p.name}: in the contracts, not in the document`);
        continue;
      }
      if (optional === (s.required ?? []).includes(p.name))
        out.push(`${where}.${p.name}: ${optional ? 'optional' : 'required'} in the contracts, not in the document`);
      const pt = checker.getNonNullableType(checker.getTypeOfSymbol(p));
      out.push(...compareValue(pt, ps, `${where}.${p.name}`, seen));
    }
    for (const name of inSchema)
      if (!props.some((p) => p.name === name)) out.push(`${where}.${name}: in the document, not in the contracts`);
    return out;
  }

  function compareValue(t: ts.Type, schema: Schema, where: string, seen: Set<ts.Type>): string[] {
    const { checker } = c;
    const s = resolve(schema);
    const F = ts.TypeFlags;
    if (t.flags & (F.Unknown | F.Any)) return [];
    if (t.isUnion() && t.types.every((u) => u.isStringLiteral())) {
      const values = t.types.map((u) => (u as ts.StringLiteralType).value).sort();
      return JSON.stringify([...(s.enum ?? [])].sort()) === JSON.stringify(values)
        ? []
        : [`${where}: enum ${values.join('|')} in the contracts, ${JSON.stringify(s.enum)} in the document`];
    }
    if (t.isUnion()) return []; // Json, object | string: documented as oneOf
    if (t.flags & F.String)
      return s.type === 'string' ? [] : [`${where}: string in the contracts, ${s.type ?? 'untyped'} in the document`];
    if (t.flags & F.Number)
      return s.type === 'number' || s.type === 'integer'
        ? []
        : [`${where}: number in the contracts, ${s.type ?? 'untyped'} in the document`];
    if (t.flags & F.Boolean || t.flags & F.BooleanLiteral)
      return s.type === 'boolean' ? [] : [`${where}: boolean in the contracts, ${s.type ?? 'untyped'} in the document`];
    if (checker.isArrayType(t)) {
      if (s.type !== 'array' || !s.items)
        return [`${where}: an array in the contracts, ${s.type ?? 'untyped'} in the document`];
      return compareValue(checker.getTypeArguments(t as ts.TypeReference)[0], s.items, `${where}[]`, seen);
    }
    if (t.flags & F.Object && checker.getPropertiesOfType(t).length) {
      if (s.type !== 'object' && !s.properties)
        return s.oneOf ? [] : [`${where}: an object in the contracts, ${s.type ?? 'untyped'} in the document`];
      return compare(t, s, where, seen);
    }
    return [];
  }

  const routes = Object.entries(ROUTES) as [
    string,
    { method: string; path: string; request?: string; query?: string; response: string | null },
  ][];

  /** A query type against the operation's query parameters: the same names, each optional, the same types. */
  function compareQuery(
    type: ts.Type,
    parameters: { in: string; name: string; required?: boolean; schema?: Schema }[],
    where: string,
  ): string[] {
    const asSchema: Schema = { type: 'object', properties: {}, required: [] };
    for (const p of parameters.filter((x) => x.in === 'query')) {
      asSchema.properties![p.name] = p.schema ?? {};
      if (p.required) asSchema.required!.push(p.name);
    }
    return compare(type, asSchema, where);
  }

  it.each(routes)('%s: its operation exists, its body and answers match the contracts', (name, route) => {
    const op = (
      doc.paths[route.path] as
        | Record<string, { requestBody?: Content; parameters?: Parameter[]; responses: Record<string, Content> }>
        | undefined
    )?.[route.method];
    expect(op && `${route.method} ${route.path}`).toBe(`${route.method} ${route.path}`);
    const problems: string[] = [];
    if (route.request) {
      const schema = op!.requestBody?.content?.['application/json']?.schema;
      if (!schema) problems.push('no JSON request body');
      else problems.push(...compare(c.typeOf(route.request), schema, `${name} body ${route.request}`));
    } else if (op!.requestBody) problems.push('the client sends no body, the api takes one');
    if (route.query)
      problems.push(...compareQuery(c.typeOf(route.query), op!.parameters ?? [], `${name} query ${route.query}`));
    const answers = Object.entries(op!.responses).filter(([st]) => st.startsWith('2'));
    expect(answers.length).toBeGreaterThan(0);
    if (route.response === null) {
      // the client reads no answer: the api's must be empty
      expect(answers.map(([st]) => st)).toEqual(['204']);
      expect(problems).toEqual([]);
      return;
    }
    for (const [status, res] of answers) {
      const schema = res.content?.['application/json']?.schema;
      if (!schema) problems.push(`${status}: no JSON schema`);
      else problems.push(...compare(c.typeOf(route.response!), schema, `${name} ${status} ${route.response}`));
    }
    expect(problems).toEqual([]);
  });

  // the api's other answers, documented by view classes implementing a contracts type
  const views: [string, string][] = [
    ['TaskPage', 'TaskPageDto'],
    ['SuspensionView', 'SuspensionViewDto'],
    ['ScheduleView', 'ScheduleViewDto'],
    ['SchedulePage', 'SchedulePageDto'],
    ['FirePage', 'FirePageDto'],
    ['ApiErrorBody', 'ErrorBodyDto'],
  ];
  it.each(views)('%s is documented as %s, property for property', (type, schema) => {
    expect(compare(c.typeOf(type), { $ref: `#/components/schemas/${schema}` }, type)).toEqual([]);
  });

  it('the check finds a difference (a schema missing a property, one too many, a wrong type)', () => {
    const taskView = resolve({ $ref: '#/components/schemas/TaskViewDto' });
    const { status: _status, ...rest } = taskView.properties!;
    const missing: Schema = { ...taskView, properties: rest };
    expect(compare(c.typeOf('TaskView'), missing, 'TaskView')).toContain(
      'TaskView.status: in the contracts, not in the document',
    );
    const extra: Schema = { ...taskView, properties: { ...taskView.properties, surprise: { type: 'string' } } };
    expect(compare(c.typeOf('TaskView'), extra, 'TaskView')).toContain(
      'TaskView.surprise: in the document, not in the contracts',
    );
    const wrong: Schema = { ...taskView, properties: { ...taskView.properties, steps: { type: 'string' } } };
    expect(compare(c.typeOf('TaskView'), wrong, 'TaskView')).toContain(
      'TaskView.steps: number in the contracts, string in the document',
    );
  });
});
