// Who asks the service for something. Roles: viewer reads, operator acts, admin also manages
// accounts and tokens (portal/auth decides who is who; the service only records the name).
export type Role = 'viewer' | 'operator' | 'admin';

export interface Operator {
  readonly name: string;
  readonly role: Role;
}
