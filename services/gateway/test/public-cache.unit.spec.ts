// The gateway's micro-cache of anonymous public reads: one upstream call for the readers that ask
// together, nothing older than its lifetime, and nothing kept that the service marks private or that
// is not a 200.
import { describe, expect, it } from 'vitest';
import { answerOf, PublicCache } from '../src/public-cache.js';

const ok = (body: string, headers: Record<string, string> = {}) => answerOf(200, { 'content-type': 'application/json', ...headers }, body);

describe('the public micro-cache', () => {
  it('makes one upstream call for every reader that asks while it is under way', async () => {
    const cache = new PublicCache(200);
    let calls = 0;
    let answer!: () => void;
    const load = () => {
      calls++;
      return new Promise<ReturnType<typeof ok>>((resolve) => (answer = () => resolve(ok('[1]'))));
    };
    const readers = Array.from({ length: 50 }, () => cache.get('/flights', load));
    answer();
    expect((await Promise.all(readers)).map((a) => a.body)).toEqual(Array(50).fill('[1]'));
    expect(calls).toBe(1);
  });

  it('answers from what it keeps for its lifetime only, aged from when the call started', async () => {
    let now = 1_000;
    const cache = new PublicCache(200, 10, () => now);
    let version = 0;
    const load = async () => {
      now += 50; // the call itself takes 50 ms
      return ok(String(++version));
    };
    expect((await cache.get('/flights', load)).body).toBe('1');
    now += 140; // 190 ms since the call started
    expect((await cache.get('/flights', load)).body).toBe('1');
    now += 10;
    expect((await cache.get('/flights', load)).body).toBe('2');
  });

  it('keeps neither a failure nor an answer marked private or no-store, but shares it with the readers who waited', async () => {
    const cache = new PublicCache(1_000);
    for (const loaded of [
      answerOf(503, {}, 'down'),
      ok('mine', { 'cache-control': 'private' }),
      ok('fresh', { 'cache-control': 'no-store' }),
    ]) {
      let calls = 0;
      const load = async () => {
        calls++;
        return loaded;
      };
      const [a, b] = await Promise.all([cache.get(loaded.answer.body, load), cache.get(loaded.answer.body, load)]);
      expect([a.body, b.body, calls]).toEqual([loaded.answer.body, loaded.answer.body, 1]);
      await cache.get(loaded.answer.body, load);
      expect(calls).toBe(2);
    }
  });

  it('passes an upstream error to every waiting reader and keeps nothing', async () => {
    const cache = new PublicCache(1_000);
    const failing = () => Promise.reject(new Error('upstream down'));
    await expect(Promise.all([cache.get('/flights', failing), cache.get('/flights', failing)])).rejects.toThrow('upstream down');
    expect((await cache.get('/flights', async () => ok('back'))).body).toBe('back');
  });

  it('holds at most its number of answers, the oldest going first', async () => {
    const cache = new PublicCache(10_000, 2);
    let calls = 0;
    const load = (body: string) => async () => {
      calls++;
      return ok(body);
    };
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    await cache.get('c', load('c'));
    await cache.get('b', load('b'));
    expect(calls).toBe(3);
    await cache.get('a', load('a'));
    expect(calls).toBe(4);
  });
});
