// Staff: events a consumer could not handle after every retry, by service, and a redrive button.
import { useState } from 'react';
import { api } from '../../api';
import { useResource, useTitle } from '../../hooks';
import { formatDateTime, plural } from '../../format';
import { Empty, ErrorNote, Loading } from '../../components/ui';
import { byService, redrivePath, type DeadLetter, type RedriveOutcome } from '../../deadLetters';

const REFRESH_MS = 10_000;

export function DeadLetters() {
  useTitle('Dead letters');
  const letters = useResource((signal) => api.get<DeadLetter[]>('/dead-letters', { signal }), [], REFRESH_MS);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<{ service: string; outcomes: RedriveOutcome[] } | null>(null);
  const groups = letters.data ? byService(letters.data) : [];

  const redrive = async (service: string, ids?: number[]) => {
    setBusy(service);
    setError(null);
    try {
      setResult({ service, outcomes: await api.post<RedriveOutcome[]>(redrivePath(service), ids ? { ids } : {}) });
      letters.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <main id="main">
      <h1>Dead letters</h1>
      <p className="muted">
        An event lands here when its consumer failed on it every time it was tried. Fix the cause, then redrive it: the consumer gets it
        again.
      </p>
      {letters.loading ? <Loading what="dead letters" /> : null}
      <ErrorNote error={letters.error} prefix="Could not load the dead letters" />
      <ErrorNote error={error} prefix="Redrive failed" />
      {result ? (
        <p className="notice" role="status">
          {result.service}: redrove {plural(result.outcomes.length, 'event')} ({summarize(result.outcomes)}).
        </p>
      ) : null}
      {letters.data && groups.length === 0 ? (
        <section className="card">
          <Empty>No dead letters: every event was handled.</Empty>
        </section>
      ) : null}
      {groups.map(([service, list]) => (
        <section key={service} className="card" aria-labelledby={`dl-${service}`} data-service={service}>
          <div className="section-head">
            <h2 id={`dl-${service}`}>
              {service} <span className="count-pill">{list.length}</span>
            </h2>
            <button type="button" onClick={() => redrive(service)} disabled={busy !== null}>
              {busy === service ? 'Redriving…' : `Redrive all ${list.length}`}
            </button>
          </div>
          <table className="responsive">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Consumer</th>
                <th scope="col">Error</th>
                <th scope="col" className="num">
                  Tries
                </th>
                <th scope="col">Parked</th>
                <th scope="col">
                  <span className="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.id}>
                  <th scope="row" data-label="Event">
                    {d.eventType}
                    <div className="muted small-text">{d.eventId}</div>
                  </th>
                  <td data-label="Consumer">{d.consumer}</td>
                  <td data-label="Error" className="wrap">
                    {d.error}
                  </td>
                  <td data-label="Tries" className="num">
                    {d.attempts}
                  </td>
                  <td data-label="Parked">{formatDateTime(d.parkedAt)}</td>
                  <td className="actions-cell">
                    <button
                      type="button"
                      className="small"
                      onClick={() => redrive(service, [d.id])}
                      disabled={busy !== null}
                      aria-label={`Redrive ${d.eventType} ${d.eventId}`}
                    >
                      Redrive
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </main>
  );
}

function summarize(outcomes: RedriveOutcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.outcome, (counts.get(o.outcome) ?? 0) + 1);
  return [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ') || 'nothing to do';
}
