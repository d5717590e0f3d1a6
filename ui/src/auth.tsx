// Who is signed in: the gateway's token and user (POST /auth/login), kept in localStorage until it
// expires, the user signs out, or the gateway refuses it.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, setToken, setUnauthorizedHandler } from './api';
import type { Session, User } from './types';

const STORAGE_KEY = 'airline.session';

interface LoginAnswer {
  token: string;
  tokenType: string;
  expiresIn: number;
  user: User;
}

interface AuthState {
  session: Session | null;
  /** Why the user was signed out, shown on the sign-in page. */
  notice: string | null;
  login: (username: string, password: string) => Promise<void>;
  logout: (notice?: string) => void;
}

const AuthContext = createContext<AuthState | null>(null);

function readStored(now: number): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return typeof s.token === 'string' && s.user && s.expiresAt > now ? s : null;
  } catch {
    localStorage.removeItem(STORAGE_KEY); // unreadable: start signed out
    return null;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => {
    const s = readStored(Date.now());
    setToken(s?.token ?? null);
    return s;
  });
  const [notice, setNotice] = useState<string | null>(null);

  const logout = useCallback((why?: string) => {
    localStorage.removeItem(STORAGE_KEY);
    setToken(null);
    setSession(null);
    setNotice(why ?? null);
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const answer = await api.post<LoginAnswer>('/auth/login', { username, password });
    const s: Session = { token: answer.token, user: answer.user, expiresAt: Date.now() + answer.expiresIn * 1000 };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(s));
    setToken(s.token);
    setNotice(null);
    setSession(s);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => logout('Your session has ended. Please sign in again.'));
    return () => setUnauthorizedHandler(null);
  }, [logout]);

  // sign out when the token expires, rather than on the next failed request
  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(
      () => logout('Your session has expired. Please sign in again.'),
      Math.min(2 ** 31 - 1, Math.max(0, session.expiresAt - Date.now())),
    );
    return () => clearTimeout(timer);
  }, [session, logout]);

  const value = useMemo(() => ({ session, notice, login, logout }), [session, notice, login, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** The signed-in user; only for pages shown behind the sign-in. */
export function useUser(): User {
  const { session } = useAuth();
  if (!session) throw new Error('useUser without a session');
  return session.user;
}
