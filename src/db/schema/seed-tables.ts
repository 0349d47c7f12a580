// The ten tables of the production database (`seed-schema.sql`), as data. On MySQL the migration
// renders them to DDL that reproduces information_schema exactly (types, nullability, defaults,
// comments, keys, InnoDB, utf8mb4_general_ci); on SQLite it builds the same columns with knex.
// Two comments keep the line breaks the production schema has, so that they compare equal.
import type { Knex } from 'knex';

export interface SeedColumn {
  name: string;
  /** The MySQL column type exactly as information_schema.COLUMNS.COLUMN_TYPE shows it. */
  type: string;
  nullable: boolean;
  autoIncrement?: boolean;
  comment: string;
}

export interface SeedTable {
  name: string;
  primaryKey: string;
  columns: SeedColumn[];
}

export const SEED_TABLES: readonly SeedTable[] = [
  {
    name: 'account_message_send_records',
    primaryKey: 'account_message_send_record_id',
    columns: [
      { name: 'account_message_send_record_id', type: 'int(11)', nullable: false, autoIncrement: true, comment: "自增主键" },
      { name: 'official_account_id', type: 'int(11)', nullable: true, comment: "公众号ID" },
      { name: 'template_id', type: 'varchar(100)', nullable: true, comment: "微信消息模板ID" },
      { name: 'content', type: 'varchar(2000)', nullable: true, comment: "发送消息内容" },
      { name: 'receiver_user', type: 'varchar(100)', nullable: true, comment: "消息接受者" },
      { name: 'status', type: 'smallint(6)', nullable: true, comment: "状态：-2：逻辑删除；1：有效" },
      { name: 'updated_at', type: 'datetime', nullable: true, comment: "更新时间" },
      { name: 'created_at', type: 'datetime', nullable: true, comment: "创建时间" },
    ],
  },
  {
    name: 'account_message_templates',
    primaryKey: 'account_message_template_id',
    columns: [
      { name: 'account_message_template_id', type: 'int(11)', nullable: false, autoIncrement: true, comment: "自增主键" },
      { name: 'official_account_id', type: 'int(11)', nullable: true, comment: "公众号ID" },
      { name: 'template_id', type: 'varchar(100)', nullable: false, comment: "微信消息模板ID" },
      { name: 'system_message_template_id', type: 'int(11)', nullable: true, comment: "系统微信消息模板ID" },
      { name: 'status', type: 'smallint(6)', nullable: true, comment: "状态：-2：逻辑删除；1：有效" },
      { name: 'updated_at', type: 'datetime', nullable: true, comment: "更新时间" },
      { name: 'created_at', type: 'datetime', nullable: true, comment: "创建时间" },
    ],
  },
  {
    name: 'industry_code_querys',
    primaryKey: 'industry_code_query_id',
    columns: [
      { name: 'industry_code_query_id', type: 'int(11)', nullable: false, autoIncrement: true, comment: "自增主键" },
      { name: 'main_type', type: 'int(11)', nullable: true, comment: "主行业类型" },
      { name: 'main_industry_code', type: 'varchar(30)', nullable: true, comment: "主行业" },
      { name: 'sec_industry_code', type: 'varchar(30)', nullable: true, comment: "副行业" },
      { name: 'code_num', type: 'int(11)', nullable: true, comment: "代码" },
      { name: 'status', type: 'smallint(6)', nullable: true, comment: "-20：逻辑删除；10：有效" },
      { name: 'updated_at', type: 'datetime', nullable: true, comment: "更新时间" },
      { name: 'created_at', type: 'datetime', nullable: true, comment: "创建时间" },
    ],
  },
  {
    name: 'official_account_industry_codes',
    primaryKey: 'official_account_industry_code_id',
    columns: [
      { name: 'official_account_industry_code_id', type: 'int(11)', nullable: false, autoIncrement: true, comment: "自增主键" },
      { name: 'official_account_id', type: 'int(11)', nullable: true, comment: "内部系统公众号ID" },
      { name: 'industry_id1', type: 'int(11)', nullable: true, comment: "公众号模板消息所属行业编号,每个月只允许修改一次" },
      { name: 'industry_id2', type: 'int(11)', nullable: true, comment: "公众号模板消息所属行业编号,每个月只允许修改一次" },
      { name: 'status', type: 'smallint(6)', nullable: true, comment: "-2: 逻辑删除；1：有效" },
      { name: 'updated_at', type: 'datetime', nullable: true, comment: "更新时间" },
      { name: 'created_at', type: 'datetime', nullable: true, comment: "创建时间" },
    ],
  },
  {
    name: 'official_account_users',
    primaryKey: 'official_account_user_id',
    columns: [
      { name: 'official_account_user_id', type: 'int(11)', nullable: false, autoIncrement: true, comment: "自增主键" },
      { name: 'official_account_id', type: 'int(11)', nullable: true, comment: "公众号ID" },
      { name: 'user_wx_info_id', type: 'int(11)', nullable: true, comment: "微信ID" },
      { name: 'openid', type: 'varchar(50)', nullable: true, comment: "用户ID在该公众号下的唯一标识" },
      { name: 'status', type: 'smallint(6)', nullable: true, comment: "状态：-2：逻辑删除；1：有效" },
      { name: 'created_at', type: 'datetime', nullable: true, comment: "创建时间" },
    ],
  },
  {
    name: 'official_accounts',
    primaryKey: 'official_account_id',
    columns: [
      { name: 'official_account_id', type: 'int(11)', nullable: false, autoIncrement: true, comment: "自增主键" },
      { name: 'nickname', type: 'varchar(50)', nullable: true, comment: "公众号微信昵称" },
      { name: 'avartar_url', type: 'varchar(300)', nullable: true, comment: "公众号微信头像链接" },
      { name: 'service_type_id', type: 'smallint(6)', nullable: true, comment: "公众号类型，0代表订阅号，1代表由历史老帐号升级后的订阅号，2代\n表服务号" },
      { name: 'verify_type_id', type: 'smallint(6)', nullable: true, comment: "认证类型，-1代表未认证，0代表微信认证，1代表新浪微博认证，2代\n表腾讯微博认证，3代表已资质认证通过但还未通过名称认证，4代表已资质认证通过、还未通过名称认证，但通过了新浪微博认证\n，5代表已资质认证通过、还未通过名称认证，但通过了腾讯微博认证" },
      { name: 'original_id', type: 'varchar(40)', nullable: true, comment: "公众号的原始ID" },
      { name: 'principal_name', type: 'varchar(300)', nullable: true, comment: "公众号的主体名称" },
      { name: 'alias', type: 'varchar(100)', nullable: true, comment: "公众号所设置的微信号，可能为空" },
      { name: 'business_info_open_store', type: 'smallint(6)', nullable: true, comment: "是否开通微信门店功能: 1: 未开通；2：已开通" },
      { name: 'business_info_open_scan', type: 'smallint(6)', nullable: true, comment: "是否开通微信扫商品功能: 1: 未开通；2：已开通" },
      { name: 'business_info_open_pay', type: 'smallint(6)', nullable: true, comment: "是否开通微信支付功能: 1: 未开通；2：已开通" },
      { name: 'business_info_open_card', type: 'smallint(6)', nullable: true, comment: "是否开通微信卡券功能: 1: 未开通；2：已开通" },
      { name: 'business_info_open_shake', type: 'smallint(6)', nullable: true, comment: "是否开通微信摇一摇功能: 1: 未开通；2：已开通" },
      { name: 'qrcode_url', type: 'varchar(300)', nullable: true, comment: "二维码图片的URL" },
      { name: 'appid', type: 'varchar(100)', nullable: true, comment: "公众号appid" },
      { name: 'func_ids', type: 'varchar(100)', nullable: true, comment: "公众号开放给第三方平台的权限列表ID" },
      { name: 'status', type: 'smallint(6)', nullable: true, comment: "-2: 逻辑删除；1：有效" },
      { name: 'updated_at', type: 'datetime', nullable: true, comment: "更新时间" },
      { name: 'created_at', type: 'datetime', nullable: true, comment: "创建时间" },
    ],
  },
  {
    name: 'official_accounts_pay_params',
    primaryKey: 'official_accounts_pay_param_id',
    columns: [
      { name: 'official_accounts_pay_param_id', type: 'int(11)', nullable: false, autoIncrement: true, comment: "自增主键" },
      { name: 'official_account_id', type: 'int(11)', nullable: true, comment: "公众号ID" },
      { name: 'mch_id', type: 'varchar(30)', nullable: true, comment: "微信商户号ID" },
      { name: 'name', type: 'varchar(100)', nullable: true, comment: "公众号公司名称" },
      { name: 'appkey', type: 'varchar(50)', nullable: true, comment: "商户支付密钥key" },
      { name: 'status', type: 'smallint(6)', nullable: true, comment: "状态：-2：逻辑删除；1：有效" },
      { name: 'updated_at', type: 'datetime', nullable: true, comment: "更新时间" },
      { name: 'created_at', type: 'datetime', nullable: true, comment: "创建时间" },
    ],
  },
  {
    name: 'system_message_templates',
    primaryKey: 'system_message_template_id',
    columns: [
      { name: 'system_message_template_id', type: 'int(11)', nullable: false, autoIncrement: true, comment: "自增主键" },
      { name: 'code', type: 'varchar(20)', nullable: true, comment: "消息编号" },
      { name: 'title', type: 'varchar(100)', nullable: true, comment: "消息标题" },
      { name: 'industry_code_query_id', type: 'int(11)', nullable: true, comment: "行业ID" },
      { name: 'content', type: 'varchar(1000)', nullable: false, comment: "模板内容" },
      { name: 'status', type: 'smallint(6)', nullable: true, comment: "-2:逻辑删除；1：有效" },
      { name: 'updated_at', type: 'datetime', nullable: true, comment: "更新时间" },
      { name: 'created_at', type: 'datetime', nullable: true, comment: "创建时间" },
    ],
  },
  {
    name: 'user_wx_infos',
    primaryKey: 'user_wx_info_id',
    columns: [
      { name: 'user_wx_info_id', type: 'int(11)', nullable: false, autoIncrement: true, comment: "自增主键" },
      { name: 'user_id', type: 'int(11)', nullable: true, comment: "用户ID，系统唯一标识" },
      { name: 'nickname', type: 'varchar(50)', nullable: true, comment: "微信昵称" },
      { name: 'sex', type: 'smallint(6)', nullable: true, comment: "性别：1.男性；2.女性; 3:未知" },
      { name: 'province', type: 'varchar(100)', nullable: true, comment: "省份名称" },
      { name: 'city', type: 'varchar(100)', nullable: true, comment: "城市名称" },
      { name: 'country', type: 'varchar(30)', nullable: true, comment: "国家" },
      { name: 'headimgurl', type: 'varchar(200)', nullable: true, comment: "头像url" },
      { name: 'privilege', type: 'varchar(100)', nullable: true, comment: "用户特权信息，json 数组，如微信沃卡用户为（chinaunicom）" },
      { name: 'created_at', type: 'datetime', nullable: true, comment: "创建时间" },
    ],
  },
  {
    name: 'wechat_message_receipt_records',
    primaryKey: 'wechat_message_receipt_record_id',
    columns: [
      { name: 'wechat_message_receipt_record_id', type: 'int(11)', nullable: false, autoIncrement: true, comment: "自增主键" },
      { name: 'appid', type: 'varchar(50)', nullable: true, comment: "托管的公众号ID" },
      { name: 'to_user_name', type: 'varchar(50)', nullable: true, comment: "公众号微信号" },
      { name: 'from_user_name', type: 'varchar(50)', nullable: true, comment: "接收模板消息的用户的openid" },
      { name: 'create_time', type: 'datetime', nullable: true, comment: "创建时间" },
      { name: 'msg_type', type: 'varchar(50)', nullable: true, comment: "消息类型是事件" },
      { name: 'event', type: 'varchar(50)', nullable: true, comment: "事件为模板消息发送结束" },
      { name: 'content', type: 'varchar(1000)', nullable: false, comment: "接收文本内容" },
      { name: 'msg_id', type: 'varchar(50)', nullable: true, comment: "消息id" },
      { name: 'status', type: 'smallint(6)', nullable: true, comment: "消息发送状态" },
      { name: 'created_at', type: 'datetime', nullable: true, comment: "创建时间" },
    ],
  },];

export const SEED_TABLE_NAMES: readonly string[] = SEED_TABLES.map((t) => t.name);

function quoteComment(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

export function mysqlCreateTable(table: SeedTable): string {
  const lines = table.columns.map((col) => {
    const parts = [`\`${col.name}\``, col.type];
    if (!col.nullable) parts.push('NOT NULL');
    if (col.autoIncrement) parts.push('AUTO_INCREMENT');
    if (col.nullable) parts.push('DEFAULT NULL');
    parts.push(`COMMENT ${quoteComment(col.comment)}`);
    return `  ${parts.join(' ')}`;
  });
  lines.push(`  PRIMARY KEY (\`${table.primaryKey}\`)`);
  return (
    `CREATE TABLE IF NOT EXISTS \`${table.name}\` (\n${lines.join(',\n')}\n) ` +
    'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci'
  );
}

/** The same columns on SQLite; types keep their MySQL spelling so that lengths stay documented. */
export function sqliteCreateTable(t: Knex.CreateTableBuilder, table: SeedTable): void {
  for (const col of table.columns) {
    if (col.autoIncrement) {
      t.increments(col.name, { primaryKey: true });
      continue;
    }
    const varchar = /^varchar\((\d+)\)$/.exec(col.type);
    const builder = varchar
      ? t.string(col.name, Number(varchar[1]))
      : col.type.startsWith('smallint')
        ? t.smallint(col.name)
        : col.type.startsWith('int')
          ? t.integer(col.name)
          : col.type === 'datetime'
            ? t.datetime(col.name)
            : t.specificType(col.name, col.type);
    if (col.nullable) builder.nullable();
    else builder.notNullable();
  }
}
