import type { Transaction } from 'kysely'
import type { Database } from '../../db/schema.js'
import { newId } from '../../ids.js'
import { enqueueEvent } from '../../jobs/outbox.js'
import { publishLive } from '../../live/publish.js'
import type { Db } from '../store/cases.js'
import * as followerStore from '../store/followers.js'
import * as notificationStore from '../store/notifications.js'
import { findCaseOrThrow } from './find-cases.js'
import { toNotification, type Notification } from '../types.js'

type Trx = Transaction<Database>

export type NotificationInput = {
  caseId: string | null
  cause: string
  title: string
  body?: string
  dedupKey?: string
}

/**
 * In-app notifications, deduplicated per recipient, case and cause: while one is unread, the same
 * cause on the same case (an SLA step and a rule saying the same thing) adds nothing.
 */
export async function notifyUsers(
  trx: Trx,
  merchantId: string,
  userIds: string[],
  n: NotificationInput,
  now: Date,
): Promise<Notification[]> {
  const recipients = [...new Set(userIds)]
  const rows = await notificationStore.insertNotifications(
    trx,
    recipients.map((userId) => ({
      merchant_id: merchantId,
      id: newId(),
      user_id: userId,
      case_id: n.caseId,
      cause: n.cause,
      title: n.title.slice(0, 300),
      body: (n.body ?? '').slice(0, 2000),
      dedup_key: n.dedupKey ?? `${n.caseId ?? '-'}:${n.cause}`,
      created_at: now,
      read_at: null,
    })),
  )
  for (const r of rows) {
    await enqueueEvent(trx, {
      merchant_id: merchantId,
      type: 'notification.created',
      subject_id: r.id,
      occurred_at: now,
      data: { notification_id: r.id, user_id: r.user_id, case_id: r.case_id, cause: r.cause },
    })
  }
  const notifications = rows.map(toNotification)
  await publishLive(
    trx,
    rows.map((r, i) => ({
      merchant_id: merchantId,
      user_id: r.user_id,
      type: 'notification',
      data: { ...notifications[i]!, body: notifications[i]!.body.slice(0, 500) },
    })),
  )
  return notifications
}

export async function listNotifications(
  db: Db,
  merchantId: string,
  userId: string,
  f: { unread?: boolean; after?: string; limit: number },
): Promise<Notification[]> {
  return (await notificationStore.listNotifications(db, merchantId, userId, f)).map(toNotification)
}

export const countUnreadNotifications = notificationStore.countUnread

export const markNotificationsRead = notificationStore.markNotificationsRead

export async function followCase(
  trx: Trx,
  merchantId: string,
  caseId: string,
  userIds: string[],
  now: Date,
): Promise<void> {
  await findCaseOrThrow(trx, merchantId, caseId)
  await followerStore.insertFollowers(trx, merchantId, caseId, userIds, now)
}

export async function unfollowCase(trx: Trx, merchantId: string, caseId: string, userId: string): Promise<void> {
  await followerStore.deleteFollower(trx, merchantId, caseId, userId)
}

export const listFollowers = followerStore.listFollowers
