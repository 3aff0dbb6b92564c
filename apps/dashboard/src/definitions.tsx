import { get, type Json } from './api';
import { Flow } from './flow';
import { Card, Empty, JsonView, useLoad, View } from './ui';

interface Listed {
  namespace: string;
  name: string;
  latest: string;
  versions: string[];
}

function Version({ ns, name, version }: { ns: string; name: string; version: string }) {
  const l = useLoad(
    () =>
      get<{ definition: Json }>(
        `/v1/definitions/${encodeURIComponent(ns)}/${encodeURIComponent(name)}/${encodeURIComponent(version)}`,
      ),
    [ns, name, version],
  );
  return (
    <View l={l}>
      {(d) => (
        <div class="grid2">
          <div>
            <h4>Its do list</h4>
            <Flow doc={d.definition} />
          </div>
          <JsonView label="Source" value={d.definition} />
        </div>
      )}
    </View>
  );
}

export function DefinitionsPage({ path }: { path: string[] }) {
  const l = useLoad(() => get<Listed[]>('/v1/definitions'), []);
  const [ns, name, version] = path;
  return (
    <View l={l}>
      {(list) =>
        list.length === 0 ? (
          <Empty title="No definitions registered">Register one with POST /v1/definitions (JSON or YAML).</Empty>
        ) : (
          <div class="defs">
            <ul class="links" aria-label="Definitions">
              {list.map((d) => (
                <li key={`${d.namespace}/${d.name}`}>
                  <strong>
                    {d.namespace}/{d.name}
                  </strong>{' '}
                  {d.versions.map((v) => (
                    <a
                      key={v}
                      class={`chip${ns === d.namespace && name === d.name && version === v ? ' on' : ''}`}
                      href={`#/definitions/${encodeURIComponent(d.namespace)}/${encodeURIComponent(d.name)}/${encodeURIComponent(v)}`}
                    >
                      {v}
                    </a>
                  ))}{' '}
                  <a class="muted" href={`#/tasks?definition=${encodeURIComponent(`${d.namespace}/${d.name}`)}`}>
                    tasks
                  </a>
                </li>
              ))}
            </ul>
            {ns && name && version ? (
              <Card title={`${ns}/${name} ${version}`}>
                <Version ns={ns} name={name} version={version} />
              </Card>
            ) : (
              <p class="muted">Pick a version to see its source and its do list.</p>
            )}
          </div>
        )
      }
    </View>
  );
}
