// API errors shaped like the real API server's metav1.Status.

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason: string; message: string; field: string }[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    const s: Record<string, unknown> = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
    };
    if (this.details) s.details = this.details;
    s.code = this.code;
    return s;
  }

  /** `deployments.apps` or `pods`. */
  static qualified(resource: string, group: string): string {
    return group ? `${resource}.${group}` : resource;
  }

  static notFound(resource: string, group: string, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${ApiError.qualified(resource, group)} "${name}" not found`, { name, group: group || undefined, kind: resource });
  }

  static notFoundPath(): ApiError {
    return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  }

  static alreadyExists(resource: string, group: string, name: string): ApiError {
    return new ApiError(409, 'AlreadyExists', `${ApiError.qualified(resource, group)} "${name}" already exists`, { name, group: group || undefined, kind: resource });
  }

  static conflict(resource: string, group: string, name: string): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${ApiError.qualified(resource, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group: group || undefined, kind: resource },
    );
  }

  static invalid(kind: string, group: string, name: string, causes: { field: string; message: string; reason?: string }[]): ApiError {
    const qk = group ? `${kind}.${group}` : kind;
    const msg = `${qk} "${name}" is invalid: ` + causes.map((c) => `${c.field}: ${c.message}`).join(', ');
    return new ApiError(422, 'Invalid', causes.length > 1 ? msg.replace(': ', ': [') + ']' : msg, {
      name,
      group: group || undefined,
      kind,
      causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field })),
    });
  }

  static unprocessable(message: string): ApiError {
    return new ApiError(422, 'Invalid', message, {});
  }

  static badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  }

  static forbidden(user: string, verb: string, resource: string, group: string, namespace: string | undefined, name: string | undefined, subresource?: string): ApiError {
    const what = name ? `${ApiError.qualified(resource, group)} "${name}"` : ApiError.qualified(resource, group);
    const res = subresource ? `${resource}/${subresource}` : resource;
    const where = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
    return new ApiError(403, 'Forbidden', `${what} is forbidden: User "${user}" cannot ${verb} resource "${res}" in API group "${group}"${where}`, {
      name,
      group: group || undefined,
      kind: resource,
    });
  }

  static unsupportedMediaType(contentType: string): ApiError {
    return new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got "${contentType}")`,
    );
  }

  static methodNotAllowed(): ApiError {
    return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
  }

  static unauthorized(): ApiError {
    return new ApiError(401, 'Unauthorized', 'Unauthorized');
  }
}
