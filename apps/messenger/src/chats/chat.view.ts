import type { SocketApi } from '@app/contracts';

export type ChatView = SocketApi.Chat;
export type ChatSummaryView = SocketApi.ChatSummary;
export type MemberRole = SocketApi.MemberRole;
