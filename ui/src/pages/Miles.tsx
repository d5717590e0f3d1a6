// Customer: mileage balance and the ledger behind it (accrued on confirmation, taken back on cancellation).
import { allPages, api } from '../api';
import { useUser } from '../auth';
import { useResource, useTitle } from '../hooks';
import { formatDateTime } from '../format';
import { useNotifications } from '../notifications';
import { Empty, ErrorNote, Loading } from '../components/ui';
import { ledgerRows, type LedgerEntry, type MileageAccount } from '../mileage';
import { Link } from '../router';

/** Miles follow bookings with a short delay (their own service): look again now and then. */
const REFRESH_MS = 5000;

export function Miles() {
  useTitle('Miles');
  const user = useUser();
  const { version } = useNotifications();
  const balance = useResource(
    (signal) => api.get<MileageAccount>(`/mileages/${user.customerId}`, { signal }),
    [user.customerId, version],
    REFRESH_MS,
  );
  const ledger = useResource(
    (signal) => allPages<LedgerEntry>(`/mileages/${user.customerId}/ledger`, {}, signal),
    [user.customerId, version],
    REFRESH_MS,
  );
  const rows = ledger.data ? ledgerRows(ledger.data) : [];

  return (
    <main id="main">
      <h1>Miles</h1>
      <section className="card balance" aria-labelledby="balance-heading">
        <h2 id="balance-heading">Balance</h2>
        {balance.loading ? <Loading what="your balance" /> : null}
        <ErrorNote error={balance.error} prefix="Could not load your balance" />
        {balance.data ? (
          <p className="big-number" data-testid="miles-balance">
            {balance.data.balance.toLocaleString('en-US')} <span>miles</span>
          </p>
        ) : null}
        {balance.data ? (
          <p className="muted">
            {balance.data.accrued.toLocaleString('en-US')} earned, {Math.abs(balance.data.reversed).toLocaleString('en-US')} taken back for
            cancelled bookings.
          </p>
        ) : null}
      </section>
      <section className="card" aria-labelledby="ledger-heading">
        <h2 id="ledger-heading">Ledger</h2>
        {ledger.loading ? <Loading what="the ledger" /> : null}
        <ErrorNote error={ledger.error} prefix="Could not load the ledger" />
        {ledger.data && rows.length === 0 ? <Empty>No miles yet: confirmed bookings earn miles.</Empty> : null}
        {rows.length > 0 ? (
          <table className="responsive">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col" className="num">
                  Miles
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key}>
                  <td data-label="When">{formatDateTime(row.at)}</td>
                  <td data-label="What">
                    {row.description} · <Link to={`/my/bookings/${row.reservationId}`}>booking #{row.reservationId}</Link>
                  </td>
                  <td data-label="Miles" className={`num ${row.miles < 0 ? 'minus' : 'plus'}`}>
                    {row.miles > 0 ? '+' : ''}
                    {row.miles.toLocaleString('en-US')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </main>
  );
}
