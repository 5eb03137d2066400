// The generated fetch client names DOM's BodyInit; Node's own types (this repository compiles
// without the DOM lib) have every other fetch type as a global, but not this one.
export {};

declare global {
  type BodyInit = NonNullable<RequestInit['body']>;
}
