/**
 * Decides which scripted response answers a request: first the role (header,
 * then match rules in file order, then `default`), then the turn, which is a
 * 0-based count of earlier requests that resolved to the same role.
 */
import type { Match, Matcher, Scenario, ScenarioResponse } from './scenario.js';
import type { ModelRequest } from './types.js';

export const ROLE_HEADER = 'x-plumbline-role';
export const DEFAULT_ROLE = 'default';

export interface Selection {
  role: string;
  turn: number;
  response: ScenarioResponse;
}

export type SelectResult = { ok: true; selection: Selection } | { ok: false; role: string | null; turn: number | null; message: string };

function matcherHolds(m: Matcher, text: string): boolean {
  if (m.contains !== undefined) return text.includes(m.contains);
  return new RegExp(m.regex ?? '', m.flags).test(text);
}

function matchHolds(match: Match, req: ModelRequest): boolean {
  if (match.provider !== undefined && match.provider !== req.provider) return false;
  if (match.system && !matcherHolds(match.system, req.systemText)) return false;
  if (match.lastUser && !matcherHolds(match.lastUser, req.lastUserText)) return false;
  if (match.firstUser && !matcherHolds(match.firstUser, req.firstUserText)) return false;
  if (match.model && !matcherHolds(match.model, req.model)) return false;
  return true;
}

export class TurnSelector {
  private counters = new Map<string, number>();

  constructor(private scenario: Scenario) {}

  /** Swaps the scenario; turn counters restart because old turns mean nothing now. */
  setScenario(scenario: Scenario): void {
    this.scenario = scenario;
    this.counters.clear();
  }

  get current(): Scenario {
    return this.scenario;
  }

  reset(): void {
    this.counters.clear();
  }

  /** Requests seen so far per role (i.e. the next turn number of each role). */
  turnCounts(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }

  /**
   * The role for a request, or null when nothing matches and there is no
   * `default` role. A header naming an unknown role is ignored on purpose,
   * so one client build can run against scenarios that script fewer roles.
   */
  resolveRole(req: ModelRequest): string | null {
    const roles = this.scenario.roles;
    if (req.roleHeader !== null && Object.hasOwn(roles, req.roleHeader)) return req.roleHeader;
    for (const [name, role] of Object.entries(roles)) {
      if (!role.match) continue;
      const alternatives = Array.isArray(role.match) ? role.match : [role.match];
      if (alternatives.some((m) => matchHolds(m, req))) return name;
    }
    return Object.hasOwn(roles, DEFAULT_ROLE) ? DEFAULT_ROLE : null;
  }

  /**
   * Picks the response for `role`. With `advance` false the turn counter is
   * left alone, so a request answered by an injected fault does not use up a
   * scripted turn (the client's retry then gets the scripted answer).
   */
  select(role: string | null, advance: boolean): SelectResult {
    if (role === null) {
      const names = Object.keys(this.scenario.roles).join(', ');
      return {
        ok: false,
        role: null,
        turn: null,
        message:
          `fake-model: no role matched this request and scenario "${this.scenario.name}" has no "${DEFAULT_ROLE}" role ` +
          `(roles: ${names}); send the ${ROLE_HEADER} header or add a match rule`,
      };
    }
    const def = this.scenario.roles[role];
    if (def === undefined) return { ok: false, role, turn: null, message: `fake-model: unknown role "${role}"` };
    const turn = this.counters.get(role) ?? 0;
    if (advance) this.counters.set(role, turn + 1);
    const response = def.turns[turn];
    if (response !== undefined) return { ok: true, selection: { role, turn, response: withTurn(response, turn) } };
    if ((def.onExhausted ?? this.scenario.onExhausted) === 'repeatLast') {
      return { ok: true, selection: { role, turn, response: withTurn(def.turns[def.turns.length - 1]!, turn) } };
    }
    return {
      ok: false,
      role,
      turn,
      message:
        `fake-model: role "${role}" has no turn ${turn} (scenario "${this.scenario.name}" defines ` +
        `${def.turns.length} turn(s), numbered from 0; set onExhausted to "repeatLast" to repeat the last one)`,
    };
  }
}

const turnPlaceholder = '{{turn}}';

/**
 * `{{turn}}` in a response's strings becomes the turn number, so one repeated turn can vary each
 * time (a model that answers every failure with a new step id, `"s{{turn}}"`).
 */
function withTurn(response: ScenarioResponse, turn: number): ScenarioResponse {
  const json = JSON.stringify(response);
  if (!json.includes(turnPlaceholder)) return response;
  return JSON.parse(json.split(turnPlaceholder).join(String(turn))) as ScenarioResponse;
}
