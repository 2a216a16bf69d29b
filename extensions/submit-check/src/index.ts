/**
 * Submit, with a check first and a receipt after (issue #19).
 *
 * nbgrader's Assignments tab hands an assignment in the moment Submit is clicked: no question,
 * no look at Validate, and no word afterwards except a new row in a list. This plugin stands in
 * front of that button. A click on Submit in the "Downloaded assignments" list is held back;
 * the plugin runs the course's Validate (the same `assignments/validate` request as the
 * Validate buttons) on every notebook of the assignment and asks:
 *
 *   - all notebooks pass:   "Submit <assignment>?"               [Cancel] [Submit]
 *   - some notebook fails:  "<assignment> does not pass Validate" [Cancel] [Submit anyway]
 *
 * with the first line of each failing notebook's report. On Submit it clicks nbgrader's button
 * itself, then waits for the exchange to list the new submission and says when it was handed
 * in ("Submitted <assignment> at <timestamp>.") or that it could not confirm it.
 *
 * Nothing of nbgrader is changed: the plugin listens for clicks (capture phase) and uses the
 * server's own `assignments` and `assignments/validate` endpoints.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';

/** Seconds to wait for the exchange to list a new submission. */
const CONFIRM_TIMEOUT = 120;

interface NotebookEntry {
  notebook_id: string;
  path: string;
}

interface AssignmentEntry {
  assignment_id: string;
  course_id: string;
  status: string;
  notebooks?: NotebookEntry[];
  submissions?: { timestamp: string }[];
}

interface ValidateResult {
  notebook: string;
  passed: boolean;
  summary: string;
}

async function request(path: string, init: RequestInit = {}): Promise<any> {
  const settings = ServerConnection.makeSettings();
  const response = await ServerConnection.makeRequest(
    URLExt.join(settings.baseUrl, path), init, settings);
  const body = await response.json();
  if (!response.ok) {
    throw new Error(body.message || response.statusText);
  }
  return body;
}

async function listAssignments(courseId: string): Promise<AssignmentEntry[]> {
  const body = await request(`assignments?course_id=${encodeURIComponent(courseId)}`);
  if (!body.success) {
    throw new Error(String(body.value));
  }
  return body.value as AssignmentEntry[];
}

function submissionCount(entries: AssignmentEntry[], assignmentId: string): number {
  const submitted = entries.find(
    e => e.assignment_id === assignmentId && e.status === 'submitted');
  return submitted?.submissions?.length ?? 0;
}

function latestTimestamp(entries: AssignmentEntry[], assignmentId: string): string {
  const submitted = entries.find(
    e => e.assignment_id === assignmentId && e.status === 'submitted');
  const stamps = (submitted?.submissions ?? []).map(s => s.timestamp).sort();
  return stamps.length ? stamps[stamps.length - 1] : '';
}

/** The first line of a Validate report that says what failed, without its markup. */
function firstLine(value: any): string {
  const failed = value?.failed ?? value?.changed ?? value?.type_changed;
  if (Array.isArray(failed) && failed.length) {
    const text = String(failed[0].source ?? '').split('\n')[0].trim();
    return text || 'a test cell failed';
  }
  return 'it could not be checked';
}

async function validate(notebook: NotebookEntry): Promise<ValidateResult> {
  const name = notebook.path.split('/').pop() || notebook.path;
  try {
    const body = await request('assignments/validate', {
      method: 'POST', body: JSON.stringify({ path: notebook.path })
    });
    let value = body.value;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        // a plain message, e.g. a notebook that ran out of time
        return { notebook: name, passed: false, summary: value.split('\n')[0] };
      }
    }
    const passed = body.success === true && !value?.failed && !value?.changed
      && !value?.type_changed;
    return { notebook: name, passed, summary: passed ? 'passes' : firstLine(value) };
  } catch (error) {
    return { notebook: name, passed: false, summary: `Validate did not run (${error})` };
  }
}

function paragraph(text: string): HTMLElement {
  const p = document.createElement('p');
  p.textContent = text;
  return p;
}

/** The dialog's body: what was checked, and each notebook's result. */
function reportBody(results: ValidateResult[], passed: boolean): HTMLElement {
  const body = document.createElement('div');
  body.className = 'dl2-submit-check';
  body.style.whiteSpace = 'normal';
  body.style.maxWidth = '36em';
  body.appendChild(paragraph(passed
    ? 'Validate passes for every notebook (the visible tests; the hidden tests run when the '
      + 'assignment is graded).'
    : 'Validate fails. You can still hand it in now and submit again before the deadline: '
      + 'the last submission is the one that is graded.'));
  const list = document.createElement('ul');
  for (const result of results) {
    const item = document.createElement('li');
    item.textContent = `${result.notebook}: ${result.summary}`;
    list.appendChild(item);
  }
  body.appendChild(list);
  return body;
}

async function confirmSubmitted(courseId: string, assignmentId: string, before: number) {
  const deadline = Date.now() + CONFIRM_TIMEOUT * 1000;
  while (Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 1000));
    try {
      const entries = await listAssignments(courseId);
      if (submissionCount(entries, assignmentId) > before) {
        const stamp = latestTimestamp(entries, assignmentId);
        Notification.success(`Submitted ${assignmentId} at ${stamp}.`, { autoClose: false });
        return;
      }
    } catch {
      // the list is being refreshed; ask again
    }
  }
  Notification.error(
    `Could not confirm that ${assignmentId} was submitted: look for it under "Submitted `
    + 'assignments", and submit again if it is not there.', { autoClose: false });
}

/** Course and assignment of a Submit button in the "Downloaded assignments" list, or null. */
function submitTarget(target: EventTarget | null):
  { button: HTMLButtonElement; courseId: string; assignmentId: string } | null {
  const button = (target as HTMLElement | null)?.closest?.('button') as HTMLButtonElement | null;
  if (!button || button.textContent?.trim() !== 'Submit') {
    return null;
  }
  const row = button.closest('#fetched_assignments_list .list_item');
  const line = row?.querySelector('.col-md-12');
  const assignmentId = line?.firstElementChild?.textContent?.trim();
  const courseId = line?.querySelector('.item_course')?.textContent?.trim();
  if (!assignmentId || courseId === undefined) {
    return null;
  }
  return { button, courseId, assignmentId };
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'dl2-submit-check:plugin',
  description: 'Asks before Submit, runs Validate first, and confirms the submission.',
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    let released = false; // the one click this plugin lets through to nbgrader
    document.addEventListener('click', event => {
      if (released) {
        released = false;
        return;
      }
      const found = submitTarget(event.target);
      if (!found) {
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      void (async () => {
        const { button, courseId, assignmentId } = found;
        const checking = Notification.emit(
          `Running Validate on ${assignmentId} before it is submitted…`, 'in-progress',
          { autoClose: false });
        let results: ValidateResult[] = [];
        let before = 0;
        try {
          const entries = await listAssignments(courseId);
          before = submissionCount(entries, assignmentId);
          const fetched = entries.find(
            e => e.assignment_id === assignmentId && e.status === 'fetched');
          for (const notebook of fetched?.notebooks ?? []) {
            results.push(await validate(notebook));
          }
        } catch (error) {
          results = [{ notebook: assignmentId, passed: false,
                       summary: `Validate did not run (${error})` }];
        } finally {
          Notification.dismiss(checking);
        }
        const passed = results.length > 0 && results.every(r => r.passed);
        const answer = await showDialog({
          title: passed ? `Submit ${assignmentId}?` : `${assignmentId} does not pass Validate`,
          body: new Widget({ node: reportBody(results, passed) }),
          buttons: [
            Dialog.cancelButton({ label: 'Cancel' }),
            passed ? Dialog.okButton({ label: 'Submit' })
                   : Dialog.warnButton({ label: 'Submit anyway' })
          ],
          defaultButton: passed ? 1 : 0 // after a failed Validate, Enter means Cancel
        });
        if (!answer.button.accept) {
          return;
        }
        released = true;
        button.click();
        await confirmSubmitted(courseId, assignmentId, before);
      })();
    }, true);
    void app;
  }
};

export default plugin;
