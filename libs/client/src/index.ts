export * from './client';
export * from './errors';
export { ROUTES, type RouteName } from './routes';
export type {
  BatchCreated,
  BatchRequest,
  BatchView,
  DefinitionRef,
  EventRequest,
  PublishAnswer,
  SendAnswer,
  SendRequest,
  SubmitRequest,
  TaskStatus,
  TaskView,
} from '@yieldflow/contracts';
