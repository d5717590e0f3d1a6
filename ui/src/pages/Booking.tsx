// One booking, followed live: PENDING → CONFIRMED or CANCELED (with the reason in words), its booking
// reference, payment, and a cancel button.
import { useEffect, useState } from 'react';
import { api, qs } from '../api';
import { useResource, useTitle } from '../hooks';
import { Link } from '../router';
import {
  cancelReasonText,
  declineText,
  formatDate,
  formatDateTime,
  formatDeparture,
  formatMoney,
  isActive,
  pendingNote,
  plural,
} from '../format';
import { useNotifications } from '../notifications';
import { ConfirmDialog, ErrorNote, Loading, StatusBadge } from '../components/ui';
import type { Flight, Payment, Reservation } from '../types';

/** While the saga runs the page asks often; afterwards it still notices a later change (a cancelled flight). */
export const PENDING_REFRESH_MS = 1000;
export const SETTLED_REFRESH_MS = 5000;
const PAYMENT_REFRESH_MS = 1500;
const TRANSITIONAL_PAYMENT = new Set(['PENDING', 'CHARGING', 'REFUND_PENDING', 'REFUNDING']);

export function Booking({ id }: { id: number }) {
  const { version } = useNotifications();
  const reservation = useResource(
    (signal) => api.get<Reservation>(`/reservations/${id}`, { signal }),
    [id, version],
    (r) => (r?.status === 'PENDING' ? PENDING_REFRESH_MS : SETTLED_REFRESH_MS),
  );
  const r = reservation.data;
  const flight = useResource(
    (signal) => (r ? api.get<Flight>(`/flights/${r.flightId}`, { signal }) : Promise.resolve(undefined)),
    [r?.flightId],
  );
  // the payment changes with the reservation's status (approved, declined, refunded): ask again when it moves
  const payment = useResource(
    async (signal) => (r ? (await api.get<Payment[]>(`/payments${qs({ reservationId: r.id })}`, { signal }))[0] : undefined),
    [r?.id, r?.status, r?.cancelReason],
    (p) => (p && TRANSITIONAL_PAYMENT.has(p.status) ? PAYMENT_REFRESH_MS : null),
  );
  // a payment that takes long says so: elapsed time, the hold's countdown, and that we will notify
  const [now, setNow] = useState(() => Date.now());
  const [pendingSince] = useState(() => Date.now());
  useEffect(() => {
    if (r?.status !== 'PENDING') return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [r?.status]);
  const [confirming, setConfirming] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<unknown>(null);
  useTitle(r ? `Booking ${r.bookingReference}` : 'Booking');

  if (reservation.loading)
    return (
      <main id="main">
        <Loading what="your booking" />
      </main>
    );
  if (!r) {
    return (
      <main id="main">
        <h1>Booking</h1>
        <ErrorNote error={reservation.error} prefix="Could not load this booking" />
        <Link to="/my/bookings">Back to my bookings</Link>
      </main>
    );
  }

  const declineReason = payment.data?.declineReason ?? null;
  const cancel = async () => {
    setCancelling(true);
    setCancelError(null);
    try {
      await api.post(`/reservations/${r.id}/cancel`);
      setConfirming(false);
      reservation.reload();
    } catch (err) {
      setCancelError(err);
    } finally {
      setCancelling(false);
    }
  };

  return (
    <main id="main">
      <p className="breadcrumb">
        <Link to="/my/bookings">My bookings</Link> / {r.bookingReference}
      </p>
      <h1>
        Booking{' '}
        <span data-testid="booking-reference" className="reference">
          {r.bookingReference}
        </span>
      </h1>
      <section className={`card status-card status-${r.status.toLowerCase()}`} aria-labelledby="status-heading">
        <h2 id="status-heading" className="visually-hidden">
          Status
        </h2>
        <div aria-live="polite" aria-atomic="true" data-testid="booking-status">
          <StatusBadge reservation={r} declineReason={declineReason} />
          <p className="status-text">
            {r.status === 'PENDING' ? (
              <>
                <span className="spinner" aria-hidden="true" /> Holding your seats and charging your card… (hold expires{' '}
                {formatDateTime(r.holdExpiresAt)})
                {pendingNote(now - pendingSince, Date.parse(r.holdExpiresAt) - now) ? (
                  <span className="slow" data-testid="pending-slow">
                    {' '}
                    {pendingNote(now - pendingSince, Date.parse(r.holdExpiresAt) - now)}
                  </span>
                ) : null}
              </>
            ) : r.status === 'CONFIRMED' ? (
              <>
                Your seats are confirmed. Your booking reference is <strong>{r.bookingReference}</strong>.
              </>
            ) : (
              <>This booking was cancelled: {cancelReasonText(r.cancelReason, declineReason)}.</>
            )}
          </p>
        </div>
        <ErrorNote error={reservation.error} prefix="Could not refresh" />
      </section>

      <section className="card" aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <dl className="details">
          <dt>Flight</dt>
          <dd>
            {flight.data
              ? `${flight.data.flightCode}${flight.data.origin ? ` ${flight.data.origin} → ${flight.data.destination}` : ''}, ${formatDeparture(flight.data)}${flight.data.status === 'CANCELLED' ? ' (cancelled)' : ''}`
              : `flight ${r.flightId}`}
          </dd>
          <dt>Seats</dt>
          <dd>{plural(r.seatQty, 'seat')}</dd>
          <dt>Passengers</dt>
          <dd data-testid="passengers">
            {(r.passengers ?? []).length > 0 ? (
              <ol className="passenger-list">
                {(r.passengers ?? []).map((p, i) => (
                  <li key={i}>{p.toBeNamed ? <span className="muted">to be named</span> : `${p.givenName} ${p.familyName}`}</li>
                ))}
              </ol>
            ) : (
              'to be named'
            )}
          </dd>
          <dt>Amount</dt>
          <dd>{formatMoney(r.amount, r.currency)}</dd>
          <dt>Card</dt>
          <dd>•••• {r.cardLast4}</dd>
          <dt>Booked on</dt>
          <dd>{formatDate(r.reserveDate)}</dd>
          <dt>Payment</dt>
          <dd data-testid="payment-status">
            {payment.loading
              ? '…'
              : payment.data
                ? paymentText(payment.data, r.currency)
                : r.status === 'CANCELED'
                  ? 'not charged'
                  : 'waiting for the seats'}
          </dd>
        </dl>
        <ErrorNote error={payment.error} prefix="Could not load the payment" />
      </section>

      {isActive(r) ? (
        <p>
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Cancel this booking
          </button>
        </p>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title={`Cancel booking ${r.bookingReference}?`}
        confirmLabel="Cancel booking"
        danger
        busy={cancelling}
        onConfirm={cancel}
        onClose={() => {
          setConfirming(false);
          setCancelError(null);
        }}
      >
        <p>
          Your {plural(r.seatQty, 'seat')} go back on sale
          {r.status === 'CONFIRMED' ? ` and ${formatMoney(r.amount, r.currency)} is refunded to the card ending ${r.cardLast4}` : ''}.
        </p>
        <ErrorNote error={cancelError} />
      </ConfirmDialog>
    </main>
  );
}

function paymentText(p: Payment, currency?: string): string {
  switch (p.status) {
    case 'APPROVED':
      return `paid ${formatMoney(p.cost, currency)}`;
    case 'DECLINED':
      return `declined${p.declineReason ? `: ${declineText(p.declineReason)}` : ''}`;
    case 'REFUNDED':
      return `refunded ${formatMoney(p.cost, currency)}`;
    case 'PENDING':
    case 'CHARGING':
      return 'being charged…';
    case 'REFUND_PENDING':
    case 'REFUNDING':
      return `refund of ${formatMoney(p.cost, currency)} in progress…`;
    case 'VOIDED':
      return 'not charged';
    default:
      return p.status.toLowerCase().replace(/_/g, ' ');
  }
}
