// POST /crawl with ["http://planet/..."] (add ?background=true to get an id), GET /crawl/{id}.
await Crawler.Examples.Web.CrawlApi.Build(args).RunAsync();
