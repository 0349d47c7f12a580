// WeChat's error codes as the commands print them: what a code means and the rid that names a failed call.
// The knowledge is the WeChat side's (wechat/errcodes.ts); commands reach it through the core.
export { describeWeChatError, ridOf } from '../wechat/errcodes.js';
