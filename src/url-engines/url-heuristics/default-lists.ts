/**
 * The default lists of the URL heuristics: abused TLDs, link shorteners and often-phished brands with
 * the registrable domains they really use. Hand-kept; DEFAULT_LISTS_DATE is their engine_update.
 */

/** YYYYMMDD of the last review of these lists. */
export const DEFAULT_LISTS_DATE = '20261128';

/**
 * TLDs over-represented in phishing and malware reports (Spamhaus and Interisle yearly figures):
 * cheap or free registrations, and the file-name lookalikes `.zip` and `.mov`.
 */
export const SUSPICIOUS_TLDS: readonly string[] = [
  'zip', 'mov', 'xyz', 'top', 'click', 'link', 'country', 'kim', 'work', 'gq', 'tk', 'ml', 'ga', 'cf',
  'buzz', 'rest', 'fit', 'cam', 'monster', 'sbs', 'cfd', 'icu', 'cyou', 'bond', 'quest', 'surf', 'support',
  'loan', 'win', 'bid', 'men', 'date', 'review', 'stream', 'download', 'racing', 'party', 'cricket', 'science',
];

/** Link shorteners: the real destination is hidden until the redirect is followed. */
export const URL_SHORTENERS: readonly string[] = [
  'bit.ly', 'bitly.com', 't.co', 'tinyurl.com', 'goo.gl', 'is.gd', 'v.gd', 'ow.ly', 'buff.ly', 'rebrand.ly',
  'cutt.ly', 'shorturl.at', 'rb.gy', 't.ly', 'tiny.cc', 'bl.ink', 'short.io', 'shorte.st', 'adf.ly', 'lnkd.in',
  'soo.gd', 's.id', 'qrco.de', 'tiny.one', 'clck.ru', 'u.to', 'x.gd', 'shorturl.gg', 'urlz.fr', 'trib.al',
  'dlvr.it', 'ift.tt', 'surl.li', 'gg.gg', 'mcaf.ee',
];

const APPLE = ['apple.com', 'icloud.com', 'me.com', 'mac.com', 'mzstatic.com', 'apple.news', 'itunes.com'];
const MICROSOFT = [
  'microsoft.com', 'microsoftonline.com', 'live.com', 'live.net', 'office.com', 'office.net', 'office365.com',
  'microsoft365.com', 'outlook.com', 'hotmail.com', 'msn.com', 'bing.com', 'azure.com', 'windows.net',
  'windows.com', 'sharepoint.com', 'onedrive.com', 'skype.com', 'xbox.com', 'msauth.net', 'msftauth.net', 'msft.net',
];
const GOOGLE = [
  'google.com', 'gmail.com', 'youtube.com', 'youtu.be', 'googleusercontent.com', 'gstatic.com', 'googleapis.com',
  'goo.gl', 'g.co', 'withgoogle.com', 'googlemail.com', 'ytimg.com',
];
const META = ['facebook.com', 'facebook.net', 'fb.com', 'fb.me', 'fbcdn.net', 'meta.com', 'messenger.com', 'instagram.com', 'cdninstagram.com', 'whatsapp.com', 'whatsapp.net', 'wa.me'];
const AMAZON = ['amazon.com', 'amazonaws.com', 'amazon.dev', 'a2z.com', 'primevideo.com', 'media-amazon.com', 'ssl-images-amazon.com', 'awsapps.com'];

/**
 * Brand word -> the registrable domains the brand uses. A host whose registrable domain is listed,
 * or whose name before the public suffix is the brand word itself (`paypal.de`, `amazon.co.uk`), is
 * the brand's own and never flagged for naming it.
 */
export const PHISHED_BRANDS: Readonly<Record<string, readonly string[]>> = {
  paypal: ['paypal.com', 'paypal.me', 'paypalobjects.com', 'paypal-community.com'],
  apple: APPLE,
  icloud: APPLE,
  itunes: APPLE,
  microsoft: MICROSOFT,
  office365: MICROSOFT,
  outlook: MICROSOFT,
  hotmail: MICROSOFT,
  onedrive: MICROSOFT,
  sharepoint: MICROSOFT,
  google: GOOGLE,
  gmail: GOOGLE,
  youtube: GOOGLE,
  amazon: AMAZON,
  netflix: ['netflix.com', 'netflix.net', 'nflxext.com', 'nflximg.net', 'nflxvideo.net'],
  facebook: META,
  instagram: META,
  whatsapp: META,
  linkedin: ['linkedin.com', 'licdn.com', 'lnkd.in'],
  twitter: ['twitter.com', 'x.com', 't.co', 'twimg.com'],
  dhl: ['dhl.com', 'dhl.de', 'dpdhl.com', 'dhl-usa.com'],
  fedex: ['fedex.com'],
  ups: ['ups.com'],
  usps: ['usps.com', 'usps.gov'],
  royalmail: ['royalmail.com', 'royalmail.co.uk'],
  chase: ['chase.com', 'jpmorganchase.com', 'jpmorgan.com'],
  wellsfargo: ['wellsfargo.com', 'wf.com'],
  bankofamerica: ['bankofamerica.com', 'bofa.com'],
  citibank: ['citibank.com', 'citi.com', 'citigroup.com'],
  americanexpress: ['americanexpress.com', 'aexp.com', 'amex.com'],
  hsbc: ['hsbc.com', 'hsbc.co.uk'],
  barclays: ['barclays.com', 'barclays.co.uk'],
  santander: ['santander.com', 'santander.co.uk'],
  coinbase: ['coinbase.com'],
  binance: ['binance.com', 'binance.us', 'bnbstatic.com'],
  metamask: ['metamask.io', 'consensys.io', 'consensys.net'],
  kraken: ['kraken.com'],
  dropbox: ['dropbox.com', 'dropboxusercontent.com', 'db.tt'],
  docusign: ['docusign.com', 'docusign.net'],
  adobe: ['adobe.com', 'adobelogin.com', 'adobe.io', 'typekit.net'],
  steamcommunity: ['steamcommunity.com', 'steampowered.com', 'steamstatic.com'],
  steampowered: ['steamcommunity.com', 'steampowered.com', 'steamstatic.com'],
  ebay: ['ebay.com', 'ebayimg.com', 'ebaystatic.com'],
  yahoo: ['yahoo.com', 'yahoo.net', 'yimg.com', 'aol.com'],
  verizon: ['verizon.com', 'verizonwireless.com', 'vzw.com'],
  spotify: ['spotify.com', 'scdn.co', 'spotifycdn.com'],
  roblox: ['roblox.com', 'rbxcdn.com'],
  discord: ['discord.com', 'discord.gg', 'discordapp.com', 'discordapp.net'],
  telegram: ['telegram.org', 't.me', 'telegram.me'],
  mastercard: ['mastercard.com'],
};
