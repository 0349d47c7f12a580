// The names a forwarding rule may filter on, as WeChat spells them: the MsgTypes and Events of an
// official account's pushes and the InfoTypes of the authorization-event URL (docs/wechat-facts.md
// names the pages). A rule naming anything else would never match: it is refused when it is added.
// WeChat's spelling varies in case between events (subscribe, SCAN, TEMPLATESENDJOBFINISH), so names are
// matched without regard to case and stored as WeChat writes them.

export const MSG_TYPES = ['text', 'image', 'voice', 'video', 'shortvideo', 'location', 'link', 'file', 'event'] as const;

export const EVENTS = [
  // following, scanning, location, menus
  'subscribe',
  'unsubscribe',
  'SCAN',
  'LOCATION',
  'CLICK',
  'VIEW',
  'view_miniprogram',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
  // what was sent
  'TEMPLATESENDJOBFINISH',
  'MASSSENDJOBFINISH',
  'PUBLISHJOBFINISH',
  'subscribe_msg_popup_event',
  'subscribe_msg_change_event',
  'subscribe_msg_sent_event',
  // customer service
  'kf_create_session',
  'kf_close_session',
  'kf_switch_session',
  // cards
  'card_pass_check',
  'card_not_pass_check',
  'user_get_card',
  'user_gifting_card',
  'user_del_card',
  'user_consume_card',
  'user_pay_from_pay_cell',
  'user_view_card',
  'user_enter_session_from_card',
  'update_member_card',
  'card_sku_remind',
  'card_pay_order',
  'submit_membercard_user_info',
  // the account itself
  'qualification_verify_success',
  'qualification_verify_fail',
  'naming_verify_success',
  'naming_verify_fail',
  'annual_renew',
  'verify_expired',
  'user_info_modified',
  'user_authorization_revoke',
  'user_authorization_cancellation',
  'poi_check_notify',
  'WifiConnected',
  'ShakearoundUserShake',
] as const;

export const INFO_TYPES = [
  'component_verify_ticket',
  'authorized',
  'updateauthorized',
  'unauthorized',
  'notify_third_fasteregister',
  'notify_third_fastregisterbetaapp',
  'notify_third_fastverifybetaapp',
  'notify_icpfiling_verify_result',
  'notify_apply_icpfiling_result',
  'notify_platform_icpfiling_verify_result',
] as const;

function canonical(list: readonly string[]): Map<string, string> {
  return new Map(list.map((name) => [name.toLowerCase(), name]));
}

const KNOWN = {
  msgType: canonical(MSG_TYPES),
  event: canonical(EVENTS),
  infoType: canonical(INFO_TYPES),
};

export type NameKind = keyof typeof KNOWN;

/** WeChat's spelling of a name, or null when WeChat has no such name. */
export function knownName(kind: NameKind, name: string): string | null {
  return KNOWN[kind].get(name.trim().toLowerCase()) ?? null;
}
