// The events `wxplat events trigger` can send. Constants only: the command-line front loads this to
// declare the command's choices, without loading the trigger itself.
export const TRIGGER_TYPES = [
  'component_verify_ticket',
  'authorized',
  'updateauthorized',
  'unauthorized',
  'templatesendjobfinish',
  'subscribe',
  'unsubscribe',
  'text',
  'image',
  'voice',
  'click',
  'view',
  'scan',
  'location',
] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];
