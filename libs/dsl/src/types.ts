import type { Json } from '@yieldflow/runtime';

/* Loose shapes of a validated workflow document: the schema has checked them, the interpreter reads them. */

export type JsonObject = { [key: string]: Json };

export interface DurationObject {
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
}
export type Duration = string | DurationObject;
export interface TimeoutDef {
  after: Duration;
}
export interface SchemaDef {
  format?: string;
  document?: Json;
  resource?: Json;
}
export interface InputDef {
  schema?: SchemaDef;
  from?: Json;
}
export interface OutputDef {
  schema?: SchemaDef;
  as?: Json;
}
export interface ExportDef {
  schema?: SchemaDef;
  as?: Json;
}
export interface ErrorDef {
  type: string;
  status: number;
  title?: string;
  detail?: string;
  instance?: string;
}

/** A task: one of the task kinds plus the common properties. */
export interface TaskDef {
  if?: string;
  input?: InputDef;
  output?: OutputDef;
  export?: ExportDef;
  timeout?: string | TimeoutDef;
  then?: string;
  metadata?: JsonObject;
  [kind: string]: any;
}
/** A task list: an array of single-key maps, name to task. */
export type TaskList = Record<string, TaskDef>[];

export interface UseDef {
  authentications?: Record<string, any>;
  catalogs?: Record<string, any>;
  errors?: Record<string, ErrorDef>;
  extensions?: any[];
  functions?: Record<string, TaskDef>;
  retries?: Record<string, any>;
  secrets?: string[];
  timeouts?: Record<string, TimeoutDef>;
}

export interface WorkflowDocument {
  document: {
    dsl: string;
    namespace: string;
    name: string;
    version: string;
    title?: string;
    summary?: string;
    tags?: Record<string, string>;
    metadata?: JsonObject;
  };
  input?: InputDef;
  use?: UseDef;
  do: TaskList;
  timeout?: string | TimeoutDef;
  output?: OutputDef;
  schedule?: JsonObject;
  evaluate?: { language?: string; mode?: string };
}
