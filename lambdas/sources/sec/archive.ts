/** Addresses of a filing in EDGAR's archive (www.sec.gov/Archives/edgar/data/…). */

/** Archive folder of a filing: company CIK unpadded, accession without dashes. */
export function archiveFolderUrl(secWww: string, cik: string, accession: string): string {
  return `${secWww}/Archives/edgar/data/${cik}/${accession.replace(/-/g, '')}`;
}

/** URL of a filing's index page. */
export function indexUrl(secWww: string, cik: string, accession: string): string {
  return `${archiveFolderUrl(secWww, cik, accession)}/${accession}-index.htm`;
}

/** URL of a filing's primary document. */
export function primaryDocumentUrl(secWww: string, cik: string, accession: string, primaryDocument: string): string {
  return `${archiveFolderUrl(secWww, cik, accession)}/${primaryDocument}`;
}
