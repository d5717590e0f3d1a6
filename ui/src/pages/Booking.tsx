// One booking, followed live: PENDING → CONFIRMED or CANCELED (with the reason in words), its booking
// reference, payment, and a cancel button.
import { useState } from 'react';
import { api, qs } from '../api';
import { useResource, useTitle } from '../hooks';
import { Link } from '../router';
import { cancelReasonText, formatDate, formatDateTime, formatMoney, isActive, plural } from '../format';
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
  const reservation = useResource((signal) => api.get<Reservation>(`/reservations/${id}`, { signal }), [id, version], (r) =>
    r?.status === 'PENDING' ? PENDING_REFRESH_MS : SETTLED_REFRESH_MS,
  );
  const r = reservation.data;
  const flight = useResource((signal) => (r ? api.get<Flight>(`/flights/${r.flightId}`, { signal }) : Promise.resolve(undefined)), [r?.flightId]);
  // the payment changes with the reservation's status (approved, declined, refunded): ask again when it moves
  const payment = useResource(
    async (signal) => (r ? (await api.get<Payment[]>(`/payments${qs({ reservationId: r.id })}`, { signal }))[0] : undefined),
    [r?.id, r?.status, r?.cancelReason],
    (p) => (p && TRANSITIONAL_PAYMENT.has(p.status) ? PAYMENT_REFRESH_MS : null),
  );
  const [confirming, setConfirming] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<unknown>(null);
  useTitle(r ? `Booking ${r.bookingReference}` : 'Booking');

  if (reservation.loading) return <main id="main"><Loading what="your booking" /></main>;
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
        Booking <span data-testid="booking-reference" className="reference">{r.bookingReference}</span>
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
                <span className="spinner" aria-hidden="true" /> Holding your seats and charging your card… (hold expires {formatDateTime(r.holdExpiresAt)})
              </>
            ) : r.status === 'CONFIRMED' ? (
              <>Your seats are confirmed. Your booking reference is <strong>{r.bookingReference}</strong>.</>
            ) : (
              <>This booking was canceled: {cancelReasonText(r.cancelReason, declineReason)}.</>
            )}
          </p>
        </div>
        <ErrorNote error={reservation.error} prefix="Could not refresh" />
      </section>

      <section className="card" aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <dl className="details">
          <dt>Flight</dt>
          <dd>{flight.data ? `${flight.data.flightCode}, ${formatDate(flight.data.takeoffDate)}${flight.data.status === 'CANCELLED' ? ' (cancelled)' : ''}` : `#${r.flightId}`}</dd>
          <dt>Seats</dt>
          <dd>{plural(r.seatQty, 'seat')}</dd>
          <dt>Amount</dt>
          <dd>{formatMoney(r.amount)}</dd>
          <dt>Card</dt>
          <dd>•••• {r.cardLast4}</dd>
          <dt>Booked on</dt>
          <dd>{formatDate(r.reserveDate)}</dd>
          <dt>Payment</dt>
          <dd data-testid="payment-status">{payment.loading ? '…' : payment.data ? paymentText(payment.data) : r.status === 'CANCELED' ? 'not charged' : 'waiting for the seats'}</dd>
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
          Your {plural(r.seatQty, 'seat')} go back on sale{r.status === 'CONFIRMED' ? ` and ${formatMoney(r.amount)} is refunded to the card ending ${r.cardLast4}` : ''}.
        </p>
        <ErrorNote error={cancelError} />
      </ConfirmDialog>
    </main>
  );
}

function paymentText(p: Payment): string {
  switch (p.status) {
    case 'APPROVED':
      return `paid ${formatMoney(p.cost)}`;
    case 'DECLINED':
      return `declined${p.declineReason ? `: ${p.declineReason}` : ''}`;
    case 'REFUNDED':
      return `refunded ${formatMoney(p.cost)}`;
    case 'PENDING':
    case 'CHARGING':
      return 'being charged…';
    case 'REFUND_PENDING':
    case 'REFUNDING':
      return `refund of ${formatMoney(p.cost)} in progress…`;
    case 'VOIDED':
      return 'not charged';
    default:
      return p.status.toLowerCase().replace(/_/g, ' ');
  }
}
