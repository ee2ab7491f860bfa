/**
 * An upload form's file, from the request to its submission: the staged file is the intake's from
 * the moment it is received, and it is discarded unless accepted (a 413, a client abort, a refused
 * form or a refused submission), so no route ever cleans up staging.
 */
import type { ReceiveFile } from '../services.js';
import type { FileIntake } from './intake.js';
import type { StagedFile } from './staged-file.js';

/**
 * Runs `readForm`, which calls `receive` for the file part and returns the other fields, then hands
 * the staged file and the fields to `submit` (which accepts the file through submitFile, or not).
 */
export async function receiveForm<Form, Result>(
  intake: Pick<FileIntake, 'fromStream' | 'discard'>,
  readForm: (receive: ReceiveFile) => Promise<Form>,
  maxBytes: number,
  submit: (file: StagedFile, form: Form) => Promise<Result>,
): Promise<Result> {
  let file: StagedFile | undefined;
  try {
    const form = await readForm(async (body) => {
      if (file) throw new Error('An upload form has one file; receive was called twice');
      file = await intake.fromStream(body, { maxBytes });
    });
    if (!file) throw new Error('The upload form was read without receiving its file');
    return await submit(file, form);
  } finally {
    // A no-op once submitFile accepted it.
    if (file) await intake.discard(file);
  }
}
