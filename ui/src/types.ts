// The resources the UI reads, as the gateway serves them: derived from the services' route schemas
// and the contracts (type-only imports: nothing of the servers is bundled), so a field renamed on the
// server fails the UI's typecheck instead of rendering blank.
import type { Static } from '@sinclair/typebox';
import type { CancelReason as CancelReasonOfEvents, TEST_CARDS } from '@airline/contracts';
import type { Airport as AirportSchema, Flight as FlightSchema } from '../../services/flight/src/routes.ts';
import type { ReservationView } from '../../services/reservation/src/routes.ts';
import type { PaymentView } from '../../services/payment/src/routes.ts';
import type { LedgerEntryView, MileageAccountView } from '../../services/mileage/src/routes.ts';
import type {
  CustomerInfo as CustomerInfoSchema,
  FlightBoardEntry as FlightBoardEntrySchema,
  HistoryEntry as HistoryEntrySchema,
} from '../../services/dashboard/src/routes.ts';
import type { User as GatewayUser } from '../../services/gateway/src/auth/users.ts';

export type User = GatewayUser;
export type Role = User['role'];

export interface Session {
  token: string;
  user: User;
  /** epoch ms after which the token is no longer accepted */
  expiresAt: number;
}

export type Flight = Static<typeof FlightSchema>;
export type ScheduledTime = NonNullable<Flight['departure']>;
export type Airport = Static<typeof AirportSchema>;

export type Reservation = Static<typeof ReservationView>;
export type PassengerSeat = Reservation['passengers'][number];
export type ReservationStatus = Reservation['status'];
export type CancelReason = CancelReasonOfEvents;

export type Payment = Static<typeof PaymentView>;
export type MileageAccount = Static<typeof MileageAccountView>;
export type LedgerEntry = Static<typeof LedgerEntryView>;

export type CustomerInfo = Static<typeof CustomerInfoSchema>;
export type FlightBoardEntry = Static<typeof FlightBoardEntrySchema>;
export type HistoryEntry = Static<typeof HistoryEntrySchema>;

/** A card of the payment sandbox, as GET /sandbox/test-cards lists it. */
export type TestCard = Pick<(typeof TEST_CARDS)[number], 'card' | 'outcome' | 'description'>;
