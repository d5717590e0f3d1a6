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
  cost: number;
  capacity: number;
  remainingSeatsCount: number;
  status: 'SCHEDULED' | 'CANCELLED';
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
