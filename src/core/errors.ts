/** The error catalogue: every failure the API can report, with VirusTotal's code and HTTP status. */

export const errorCatalogue = {
  BadRequestError: { status: 400, retryable: false },
  InvalidArgumentError: { status: 400, retryable: false },
  NotAvailableYet: { status: 400, retryable: true },
  AuthenticationRequiredError: { status: 401, retryable: false },
  UserNotActiveError: { status: 401, retryable: false },
  WrongCredentialsError: { status: 401, retryable: false },
  ForbiddenError: { status: 403, retryable: false },
  NotFoundError: { status: 404, retryable: false },
  AlreadyExistsError: { status: 409, retryable: false },
  PayloadTooLargeError: { status: 413, retryable: false },
  FailedDependencyError: { status: 424, retryable: false },
  QuotaExceededError: { status: 429, retryable: true },
  TooManyRequestsError: { status: 429, retryable: true },
  InternalError: { status: 500, retryable: true },
  TransientError: { status: 503, retryable: true },
  DeadlineExceededError: { status: 504, retryable: true },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

/** An expected failure with a VirusTotal error code; the API renders it as {"error":{code,message}}. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; headers?: Record<string, string> } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.retryable = errorCatalogue[code].retryable;
    this.headers = options.headers ?? {};
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
