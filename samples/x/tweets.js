window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "social@vuelaya.example",
      "createdVia" : "web",
      "username" : "vuelaya",
      "accountId" : "1402345678",
      "createdAt" : "2015-03-02T10:00:00.000Z",
      "accountDisplayName" : "Vuelaya"
    }
  }
]
window.YTD.tweets.part0 = [
{
  "tweet" : {
    "edit_info" : {
      "initial" : {
        "editTweetIds" : [
          "2117512096773046295"
        ],
        "editableUntil" : "2026-11-30T00:00:00.000Z",
        "editsRemaining" : "5",
        "isEditEligible" : true
      }
    },
    "retweeted" : false,
    "entities" : {
      "hashtags" : [
        {
          "text" : "Vuelaya",
          "indices" : [
            "0",
            "0"
          ]
        }
      ],
      "symbols" : [],
      "user_mentions" : [],
      "urls" : []
    },
    "display_text_range" : [
      "0",
      "95"
    ],
    "favorite_count" : "120",
    "id_str" : "2117512096773046295",
    "truncated" : false,
    "retweet_count" : "31",
    "id" : "2117512096773046295",
    "created_at" : "Tue Nov 03 07:00:00 +0000 2026",
    "favorited" : false,
    "full_text" : "Buenos días ☀️ Hoy estrenamos vuelos directos Sevilla-Lisboa, desde 35 €. ¡Reserva ya! #Vuelaya",
    "lang" : "es"
  }
},
{
  "tweet" : {
    "edit_info" : {
      "initial" : {
        "editTweetIds" : [
          "2119369334584246296"
        ],
        "editableUntil" : "2026-11-30T00:00:00.000Z",
        "editsRemaining" : "5",
        "isEditEligible" : true
      }
    },
    "retweeted" : false,
    "entities" : {
      "hashtags" : [],
      "symbols" : [],
      "user_mentions" : [],
      "urls" : []
    },
    "display_text_range" : [
      "0",
      "110"
    ],
    "favorite_count" : "64",
    "id_str" : "2119369334584246296",
    "truncated" : false,
    "retweet_count" : "10",
    "id" : "2119369334584246296",
    "created_at" : "Sun Nov 08 10:00:00 +0000 2026",
    "favorited" : false,
    "full_text" : "Recordad: desde el 15 de noviembre podéis facturar online hasta 48 h antes del vuelo. Menos colas, más viaje 😉",
    "lang" : "es"
  }
},
{
  "tweet" : {
    "edit_info" : {
      "initial" : {
        "editTweetIds" : [
          "2120531995653046297"
        ],
        "editableUntil" : "2026-11-30T00:00:00.000Z",
        "editsRemaining" : "5",
        "isEditEligible" : true
      }
    },
    "retweeted" : false,
    "entities" : {
      "hashtags" : [],
      "symbols" : [],
      "user_mentions" : [],
      "urls" : []
    },
    "display_text_range" : [
      "0",
      "134"
    ],
    "favorite_count" : "22",
    "id_str" : "2120531995653046297",
    "truncated" : false,
    "retweet_count" : "18",
    "id" : "2120531995653046297",
    "created_at" : "Wed Nov 11 15:00:00 +0000 2026",
    "favorited" : false,
    "full_text" : "Heads up: due to fog in Madrid some morning flights may be delayed. Check your flight status in the app before heading to the airport.",
    "lang" : "en"
  }
},
{
  "tweet" : {
    "edit_info" : {
      "initial" : {
        "editTweetIds" : [
          "2121528562283446298"
        ],
        "editableUntil" : "2026-11-30T00:00:00.000Z",
        "editsRemaining" : "5",
        "isEditEligible" : true
      }
    },
    "retweeted" : false,
    "entities" : {
      "hashtags" : [],
      "symbols" : [],
      "user_mentions" : [],
      "urls" : []
    },
    "display_text_range" : [
      "0",
      "111"
    ],
    "favorite_count" : "210",
    "id_str" : "2121528562283446298",
    "truncated" : false,
    "retweet_count" : "40",
    "id" : "2121528562283446298",
    "created_at" : "Sat Nov 14 09:00:00 +0000 2026",
    "favorited" : false,
    "full_text" : "Gracias a todos los que habéis respondido a la encuesta de servicio a bordo. Volverá el bocadillo de tortilla 🥪",
    "lang" : "es"
  }
},
{
  "tweet" : {
    "edit_info" : {
      "initial" : {
        "editTweetIds" : [
          "2123476397061046299"
        ],
        "editableUntil" : "2026-11-30T00:00:00.000Z",
        "editsRemaining" : "5",
        "isEditEligible" : true
      }
    },
    "retweeted" : false,
    "entities" : {
      "hashtags" : [],
      "symbols" : [],
      "user_mentions" : [
        {
          "screen_name" : "aviacion_hoy",
          "name" : "aviacion_hoy",
          "indices" : [
            "0",
            "0"
          ],
          "id_str" : "0",
          "id" : "0"
        }
      ],
      "urls" : []
    },
    "display_text_range" : [
      "0",
      "104"
    ],
    "favorite_count" : "35",
    "id_str" : "2123476397061046299",
    "truncated" : false,
    "retweet_count" : "6",
    "id" : "2123476397061046299",
    "created_at" : "Thu Nov 19 18:00:00 +0000 2026",
    "favorited" : false,
    "full_text" : "@aviacion_hoy Seguimos trabajando para mejorar la puntualidad en Madrid: en noviembre vamos por el 89 %.",
    "lang" : "es",
    "in_reply_to_status_id_str" : "2121921149137846285",
    "in_reply_to_screen_name" : "aviacion_hoy"
  }
}
]
