// The single place where every gate is applied, whatever path invoked the action:
// read-only mode → permission pre-check → choice and parameter prompts → dry-run preview →
// confirmation (typed name in production contexts) → read-only again → journal start → run →
// journal outcome. A refusal in read-only mode is shown, never journaled (read-only writes nothing).
import type { ActionDef, AnyActionDef, ActionEnv, ActionOutcome, ActionTarget, Interaction, ServiceName } from './types.js';

const SERVICE_LABEL: Record<ServiceName, string> = {
  kube: 'Kubernetes',
  progress: 'Progress display',
  alertmanager: 'Alertmanager',
  postgres: 'Postgres',
  incident: 'The incident engine',
  postmortem: 'The post-mortem writer',
  invoke: 'The action runner',
  paging: 'Paging (PagerDuty, Slack)',
  handoff: 'Terminal hand-off',
};

export interface RunnerOptions {
  /** Context name globs where any mutating action needs the target's name typed. */
  productionContexts: string[];
}

export type InvokeResult =
  | { ok: true; outcome: ActionOutcome }
  | { ok: false; reason: 'unknown' | 'read-only' | 'cancelled' | 'forbidden' | 'invalid' | 'dry-run-failed' | 'busy' | 'failed'; message: string };

export class ActionRunner {
  private readonly actions = new Map<string, AnyActionDef>();
  private readonly running = new Set<string>();

  constructor(
    readonly env: ActionEnv,
    private readonly ui: Interaction,
    private readonly opts: RunnerOptions,
  ) {}

  register(...defs: AnyActionDef[]): this {
    for (const def of defs) this.actions.set(def.id, def);
    return this;
  }

  get<T extends ActionTarget = ActionTarget>(id: string): ActionDef<T> | undefined {
    return this.actions.get(id) as ActionDef<T> | undefined;
  }

  /** Why the action cannot run right now, for the help overlay and footer; null when it can. */
  disabledReason(id: string): string | null {
    const def = this.actions.get(id);
    if (!def) return 'not available here';
    if (def.mutating && this.env.readOnly) return 'read-only mode';
    if (def.requires && !this.env.services[def.requires]) return `${SERVICE_LABEL[def.requires]} is not configured`;
    return null;
  }

  isProduction(): boolean {
    const ctx = this.env.context ?? '';
    return this.opts.productionContexts.some((glob) => globMatch(glob, ctx));
  }

  async invoke<T extends ActionTarget>(id: string, target: T): Promise<InvokeResult> {
    const def = this.actions.get(id) as ActionDef<T> | undefined;
    if (!def) return this.fail('unknown', `No action "${id}"`);
    const title = def.titleFor?.(target) ?? def.title;
    const what = `${title}${target.name ? ` ${target.namespace ? `${target.namespace}/` : ''}${target.name}` : ''}`;
    // A read-only cockpit writes nothing, not even its refusals: they are shown, not journaled.
    const readOnly = () => def.mutating && this.env.readOnly;
    if (readOnly()) return this.fail('read-only', `Read-only mode: ${title} is disabled`);
    if (def.requires && !this.env.services[def.requires]) return this.fail('unknown', `${title}: ${SERVICE_LABEL[def.requires]} is not configured`);
    const key = `${id}:${target.namespace ?? ''}/${target.name}`;
    if (this.running.has(key)) return this.fail('busy', `${what} is already running`);
    const journal = def.journal !== false;

    // Refusals come first (forbidden, not configured): nobody should fill in a form for nothing.
    if (def.precheck) {
      const refusal = await def.precheck(target, {}, this.env).catch((e: unknown) => `permission check failed: ${message(e)}`);
      if (refusal) {
        if (journal) this.env.recorder.record({ kind: 'action.refused', actor: 'warroom', source: 'runner', summary: `${what} refused: ${refusal}`, refs: { action: id } });
        return this.fail('forbidden', refusal);
      }
    }

    let params: Record<string, string> = {};
    const c = def.choose?.(target, this.env);
    if (c) {
      if (!this.ui.select) return this.fail('invalid', `${title} needs a choice, and this screen cannot ask for one`);
      const choice = await this.ui.select(c.title, c.options, c.lines, c.initial);
      if (choice === null) return this.cancelled(title);
      params.choice = choice;
    }
    const fields = def.fields?.(target, this.env, params) ?? [];
    const base = params;
    // The form and its preview: Esc in the preview steps back to the form with what was typed.
    let answer: Record<string, string> | null = null;
    for (;;) {
      if (fields.length) {
        const shown = answer ? fields.map((f) => ({ ...f, initial: answer![f.name] ?? f.initial })) : fields;
        const got = await this.ui.prompt(title, shown, answer ? { edited: true } : undefined);
        if (!got) return this.cancelled(title);
        for (const f of fields) {
          const problem = f.validate?.(got[f.name] ?? '');
          if (problem) return this.fail('invalid', `${f.label}: ${problem}`);
        }
        answer = got;
        params = { ...base, ...got };
      }

      this.running.add(key);
      try {
        let lines: string[];
        try {
          lines = [...(await def.describe(target, params, this.env))];
        } catch (e) {
          // Nothing to confirm (no earlier revision, the object is gone): said with this target's title.
          return this.fail('invalid', `${title}: ${message(e)}`);
        }
        if (def.dryRun) {
          try {
            const preview = await def.dryRun(target, params, this.env);
            lines.push('', 'Server-side dry run: accepted', ...preview);
          } catch (e) {
            return this.fail('dry-run-failed', `Dry run rejected ${what}: ${message(e)}`);
          }
        }

        const typeName = def.confirm === 'type-name' || (def.mutating && this.isProduction()) || def.requiresTypedName?.(target, params) ? target.name : undefined;
        if (def.confirm !== 'none' || typeName) {
          const ok = await this.ui.confirm({ title, lines, typeName, dangerous: def.mutating, back: fields.length > 0 });
          if (ok === 'back') continue;
          if (!ok) return this.cancelled(title);
        }
        // The cockpit may have turned read-only while the dialogs were open (a context switch).
        if (readOnly()) return this.fail('read-only', `Read-only mode: ${title} is disabled`);

        const actor = this.env.actor ?? 'you';
        const refs = { action: id, target: target.name, namespace: target.namespace };
        if (journal) this.env.recorder.record({ kind: 'action.started', actor, source: 'runner', summary: `${what} started`, body: lines.join('\n'), refs: { ...refs, params } });
        try {
          const outcome = await def.run(target, params, this.env);
          if (journal)
            this.env.recorder.record({
              kind: 'action.succeeded',
              actor,
              source: 'runner',
              summary: `${what}: ${outcome.summary}`,
              body: outcome.details?.join('\n'),
              refs: { ...refs, ...outcome.refs },
            });
          this.ui.notify(`${what}: ${outcome.summary}`, 'success');
          return { ok: true, outcome };
        } catch (e) {
          if (journal) this.env.recorder.record({ kind: 'action.failed', actor, source: 'runner', summary: `${what} failed: ${message(e)}`, refs });
          return this.fail('failed', `${what} failed: ${message(e)}`);
        }
      } finally {
        this.running.delete(key);
      }
    }
  }

  private cancelled(title: string): InvokeResult {
    this.ui.notify(`${title} cancelled; nothing changed`, 'info');
    return { ok: false, reason: 'cancelled', message: 'cancelled' };
  }

  private fail(reason: Exclude<InvokeResult, { ok: true }>['reason'], msg: string): InvokeResult {
    this.ui.notify(msg, reason === 'failed' || reason === 'forbidden' || reason === 'dry-run-failed' ? 'error' : 'warn');
    return { ok: false, reason, message: msg };
  }
}

export function globMatch(glob: string, text: string): boolean {
  const re = new RegExp(
    '^' +
      glob
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
    'i',
  );
  return re.test(text);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
