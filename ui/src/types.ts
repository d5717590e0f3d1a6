// The resources the UI reads, as the gateway serves them (field names of the seeds kept).

export type Role = 'customer' | 'admin';

export interface User {
  username: string;
  role: Role;
  customerId: number | null;
}

export interface Session {
  token: string;
  user: User;
  /** epoch ms after which the token is no longer accepted */
  expiresAt: number;
}

export interface Flight {
  id: number;
  flightCode: string;
  takeoffDate: string;
  /** minor units of currency */
  cost: number;
  /** ISO 4217 */
  currency?: string;
  capacity: number;
  remainingSeatsCount: number;
  status: 'SCHEDULED' | 'CANCELLED';
  origin?: string;
  destination?: string;
  departure?: ScheduledTime;
  arrival?: ScheduledTime;
  /** UTC: no booking from then on */
  bookingClosesAt?: string;
}

export interface ScheduledTime {
  /** YYYY-MM-DDThh:mm at the airport */
  local: string;
  timeZone: string;
  utc: string;
}

export interface PassengerSeat {
  givenName: string | null;
  familyName: string | null;
  toBeNamed: boolean;
}

export type ReservationStatus = 'PENDING' | 'CONFIRMED' | 'CANCELED';
export type CancelReason = 'SOLD_OUT' | 'PAYMENT_DECLINED' | 'PAYMENT_TIMEOUT' | 'CUSTOMER' | 'FLIGHT_CANCELLED';

export interface Reservation {
  id: number;
  bookingReference: string;
  customerId: number;
  flightId: number;
  seatQty: number;
  amount: number;
  reserveDate: string;
  cardLast4: string;
  status: ReservationStatus;
  cancelReason: CancelReason | string | null;
  holdExpiresAt: string;
  /** ISO 4217 of amount (minor units) */
  currency?: string;
  passengers?: PassengerSeat[];
}

export interface Payment {
  id: number;
  reservationId: number;
  customerId: number;
  cost: number;
  status: string;
  declineReason: string | null;
  cardLast4: string;
  createdAt: string;
  updatedAt: string;
}

export interface TestCard {
  card: string;
  outcome: string;
  description: string;
}
