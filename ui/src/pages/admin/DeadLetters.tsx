// Staff: events a consumer could not handle after every retry, per service, and a redrive button.
import { useState } from 'react';
import { api } from '../../api';
import { useResource, useTitle } from '../../hooks';
import { formatDateTime, plural } from '../../format';
import { Empty, ErrorNote, Loading } from '../../components/ui';
import { DEAD_LETTER_SERVICES, deadLettersPath, type DeadLetter, type RedriveOutcome } from '../../deadLetters';

export function DeadLetters() {
  useTitle('Dead letters');
  return (
    <main id="main">
      <h1>Dead letters</h1>
      <p className="muted">An event lands here when its consumer failed on it every time it was tried. Fix the cause, then redrive it: the consumer gets it again.</p>
      {DEAD_LETTER_SERVICES.map((s) => (
        <ServiceDeadLetters key={s} service={s} />
      ))}
    </main>
  );
}

function ServiceDeadLetters({ service }: { service: string }) {
  const letters = useResource((signal) => api.get<DeadLetter[]>(deadLettersPath(service), { signal }), [service], 10_000);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<RedriveOutcome[] | null>(null);
  const headingId = `dl-${service}`;

  const redrive = async (ids?: number[]) => {
    setBusy(true);
    setError(null);
    try {
      setResult(await api.post<RedriveOutcome[]>(`${deadLettersPath(service)}/redrive`, ids ? { ids } : {}));
      letters.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const list = letters.data ?? [];
  return (
    <section className="card" aria-labelledby={headingId}>
      <div className="section-head">
        <h2 id={headingId}>
          {service} {letters.data ? <span className="count-pill">{list.length}</span> : null}
        </h2>
        {list.length > 0 ? (
          <button type="button" onClick={() => redrive()} disabled={busy}>
            {busy ? 'Redriving…' : `Redrive all ${list.length}`}
          </button>
        ) : null}
      </div>
      {letters.loading ? <Loading what={`${service} dead letters`} /> : null}
      <ErrorNote error={letters.error} prefix="Could not load them" />
      <ErrorNote error={error} prefix="Redrive failed" />
      {result ? (
        <p className="notice" role="status">
          Redrove {plural(result.length, 'event')}: {summarize(result)}.
        </p>
      ) : null}
      {letters.data && list.length === 0 ? <Empty>No dead letters: every event was handled.</Empty> : null}
      {list.length > 0 ? (
        <table className="responsive">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Consumer</th>
              <th scope="col">Error</th>
              <th scope="col" className="num">Tries</th>
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
                  <button type="button" className="small" onClick={() => redrive([d.id])} disabled={busy} aria-label={`Redrive ${d.eventType} ${d.eventId}`}>
                    Redrive
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function summarize(result: RedriveOutcome[]): string {
  const counts = new Map<string, number>();
  for (const r of result) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ') || 'nothing to do';
}
