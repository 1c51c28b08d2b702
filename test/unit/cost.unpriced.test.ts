import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeCost } from '../../src/protocol/cost';

/** The one formatter behind the sidebar, the status bar, the plan, the history, `plumbline runs` and notifications. */
describe('cost when the model has no price', () => {
  test('tokens and "unpriced", never $0.0000', () => {
    assert.equal(describeCost({ usd: 0, unpricedCalls: 4, tokens: 12_345 }), '12.3k tokens (unpriced)');
    assert.equal(describeCost({ usd: 0, unpricedCalls: 4 }), 'unpriced');
    for (const cost of [{ usd: 0, unpricedCalls: 4, tokens: 12_345 }, { usd: 0, unpricedCalls: 4 }, { usd: 0, unpricedCalls: 0 }, { usd: 0, unpricedCalls: 0, tokens: 0 }]) {
      assert.doesNotMatch(describeCost(cost), /\$0\.0000/);
      assert.doesNotMatch(describeCost(cost, (usd) => `$${usd.toFixed(2)}`), /\$0\.00/);
    }
  });

  test('before the first call: no dollars claimed', () => {
    assert.equal(describeCost({ usd: 0, unpricedCalls: 0 }), '0 tokens');
  });

  test('priced calls keep their dollars; a mix says how many calls are left out', () => {
    assert.equal(describeCost({ usd: 0.0123, unpricedCalls: 0, tokens: 900 }), '$0.0123');
    assert.equal(describeCost({ usd: 0.0123, unpricedCalls: 2, tokens: 45_600 }), '$0.0123 · 45.6k tokens (2 calls unpriced)');
    assert.equal(describeCost({ usd: 0.0123, unpricedCalls: 1 }), '$0.0123 (+1 unpriced call)');
  });
});
