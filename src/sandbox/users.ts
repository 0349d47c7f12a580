// An account's followers, /cgi-bin/user/get, /cgi-bin/user/info and /cgi-bin/user/info/batchget (wechat-api.md §5). Pages
// of 10,000 openids; after the last page WeChat answers once more with count 0 and no `data`. User
// info has the post-2021 field set: no nickname, headimgurl, sex or region.
import { createHash } from 'node:crypto';
import { ApiError } from './errors.js';
import { Membership } from './followers.js';
import { param } from '../wechat/query.js';
import { jsonBody, json, type Route, type Sim } from './routes.js';
import type { Account } from './state.js';

export const PAGE_SIZE = 10_000;
export const BATCH_LIMIT = 100;

const SCENES = [
  'ADD_SCENE_SEARCH',
  'ADD_SCENE_QR_CODE',
  'ADD_SCENE_PROFILE_CARD',
  'ADD_SCENE_ACCOUNT_MIGRATION',
  'ADD_SCENE_PROFILE_LINK',
  'ADD_SCENE_PAID',
  'ADD_SCENE_WECHAT_ADVERTISEMENT',
  'ADD_SCENE_OTHERS',
];
const LANGS = new Set(['zh_CN', 'zh_TW', 'en']);

export function userRoutes(sim: Sim): Record<string, Route> {
  const componentAppid = sim.world.component.appid;

  return {
    'cgi-bin/user/get': {
      method: 'GET',
      auth: 'account',
      needs: 'user',
      handle(req, account) {
        const followers = account.followers;
        const next = param(req.query, 'next_openid');
        const position = next === undefined || next === '' ? 0 : followers.positionAfter(next);
        if (position === undefined) throw new ApiError(40003);
        const openids = followers.page(position, PAGE_SIZE);
        const total = followers.total;
        if (openids.length === 0) return `{"total":${total},"count":0,"next_openid":""}`;
        return `{"total":${total},"count":${openids.length},"data":{"openid":${json(openids)}},"next_openid":${json(openids[openids.length - 1])}}`;
      },
    },

    // One user: real clients call it (a Python SDK got 404 here before the sandbox had it).
    'cgi-bin/user/info': {
      method: 'GET',
      auth: 'account',
      needs: 'user',
      handle(req, account) {
        const openid = param(req.query, 'openid');
        if (openid === undefined || openid === '') throw new ApiError(40003);
        const lang = param(req.query, 'lang');
        if (lang !== undefined && lang !== '' && !LANGS.has(lang)) throw new ApiError(40097);
        const membership = account.followers.membership(openid);
        if (membership === Membership.Foreign) throw new ApiError(40003);
        return json(membership === Membership.Follower ? userInfo(account, openid, componentAppid) : { subscribe: 0, openid });
      },
    },

    'cgi-bin/user/info/batchget': {
      method: 'POST',
      auth: 'account',
      needs: 'user',
      handle(req, account) {
        const list = jsonBody(req).user_list;
        if (!Array.isArray(list) || list.length === 0 || list.length > BATCH_LIMIT) throw new ApiError(40032);
        const infos: unknown[] = [];
        for (const item of list) {
          const entry = (typeof item === 'object' && item !== null ? item : {}) as { openid?: unknown; lang?: unknown };
          const { openid, lang } = entry;
          if (typeof openid !== 'string' || openid === '') throw new ApiError(40003);
          if (lang !== undefined && (typeof lang !== 'string' || !LANGS.has(lang))) throw new ApiError(40097);
          const membership = account.followers.membership(openid);
          // One openid of another account spoils the whole batch, as on WeChat.
          if (membership === Membership.Foreign) throw new ApiError(40003);
          infos.push(membership === Membership.Follower ? userInfo(account, openid, componentAppid) : { subscribe: 0, openid });
        }
        return json({ user_info_list: infos });
      },
    },
  };
}

/** A follower's profile, derived from the openid so that every call gives the same answer. */
function userInfo(account: Account, openid: string, componentAppid: string) {
  const digest = createHash('sha1').update(`${componentAppid}\0${openid}`).digest();
  const h = digest.readUInt32BE(0);
  const scene = SCENES[h % SCENES.length];
  return {
    subscribe: 1,
    openid,
    subscribe_time: Math.floor(account.createdAt / 1000) - (h % (3 * 365 * 86_400)),
    // One person, one unionid across the platform's accounts; derived openids of different accounts are different people.
    unionid: `o${digest.toString('base64url')}`,
    remark: '',
    groupid: 0,
    tagid_list: [] as number[],
    subscribe_scene: scene,
    qr_scene: scene === 'ADD_SCENE_QR_CODE' ? 1000 + (h % 9000) : 0,
    qr_scene_str: '',
  };
}
