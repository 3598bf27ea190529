"""Brazilian Portuguese (você), following the glossary in GLOSSARY.md."""

from __future__ import annotations

from bot.texts.catalogue import Texts
from bot.texts.en import TEXTS as ENGLISH

TEXTS = Texts(
    command_start="Mensagem de boas-vindas",
    command_help="O que este bot sabe fazer",
    command_persona="Ver ou trocar a persona (começa uma nova conversa)",
    command_reset="Esquecer esta conversa e recomeçar",
    command_language="Escolher o idioma em que falo aqui",
    command_usage="Seu uso e orçamentos",
    command_image="Desenhar uma imagem a partir de uma descrição",
    bot_description=(
        "Um assistente de IA que lembra: cada chat comigo é uma longa conversa. "
        "Troque de persona com /persona, recomece com /reset e me adicione a um grupo para "
        "conversarmos juntos (lá, me mencione ou responda a uma mensagem minha)."
    ),
    bot_short_description="Um assistente de IA que lembra da sua conversa.",
    start=(
        "Oi, {name}! Sou um assistente de IA. Cada chat comigo é uma longa conversa de que eu "
        "me lembro, então é só continuar falando.\n\n"
        "Persona atual: <b>{persona}</b>.\n"
        "/persona — trocar de persona (isso começa uma conversa nova)\n"
        "/reset — esquecer esta conversa e recomeçar\n"
        "/help — o que eu sei fazer"
    ),
    help=(
        "É só me escrever que eu respondo; lembro de tudo o que foi dito neste chat até você "
        "usar /reset.\n\n"
        "/persona — ver a persona atual e escolher outra\n"
        "/persona <i>nome</i> — trocar direto, por exemplo <code>/persona {example}</code>\n"
        "/reset — esquecer esta conversa e recomeçar\n"
        "/language — escolher o idioma em que falo aqui\n"
        "/usage — quanto suas respostas custaram, e seu orçamento\n"
        "/help — esta mensagem\n\n"
        "Em grupos, me mencione (@{username}) ou responda a uma mensagem minha para falar comigo."
    ),
    someone="você",
    not_allowed=(
        "Desculpe, este é um bot particular e você não está na lista de usuários permitidos.\n\n"
        "Seu id de usuário no Telegram é <code>{user_id}</code>. Se você conhece quem cuida do "
        "bot, envie esse id: é só adicioná-lo a <code>ALLOWED_USERS</code>."
    ),
    group_not_allowed=(
        "Desculpe, sou um bot particular e este grupo não está na minha lista, então vou sair.\n\n"
        "O id do grupo é <code>{chat_id}</code>: quem cuida do bot pode permiti-lo adicionando-o "
        "a <code>ALLOWED_CHATS</code>, ou me adicionando ao grupo pessoalmente."
    ),
    group_welcome=(
        "Oi, pessoal! Me mencionem (@{username}) ou respondam a uma mensagem minha para falar "
        "comigo; lembro da conversa deste grupo até um administrador usar /reset."
    ),
    admins_only="Desculpe, só os administradores do grupo podem fazer isso.",
    reset_done="Pronto — esqueci a nossa conversa. Vamos recomeçar!",
    reset_failed=(
        "Desculpe, não consegui começar uma nova conversa agora. Tente /reset de novo daqui a "
        "um minuto."
    ),
    persona_current="Persona atual: <b>{title}</b> — {description}\n\nEscolha outra:",
    persona_chosen=(
        "Persona trocada para <b>{title}</b> — {description}\nComecei uma conversa nova."
    ),
    persona_unknown="Não conheço a persona “{name}”. Personas disponíveis:\n{choices}",
    persona_choice="• <code>{name}</code> — {title}: {description}",
    persona_button="{title}",
    persona_button_current="✅ {title}",
    persona_button_stale="Esse menu está desatualizado — envie /persona de novo.",
    language_menu="Falo <b>{language}</b> neste chat.\n\nEscolha outro idioma:",
    language_menu_automatic=(
        "Falo <b>{language}</b> neste chat, escolhido automaticamente.\n\nEscolha outro idioma:"
    ),
    language_chosen="Pronto — vou falar português neste chat.",
    language_automatic=(
        "Pronto — volto a escolher o idioma automaticamente (por enquanto: <b>{language}</b>)."
    ),
    language_unknown="Não conheço o idioma “{name}”. Disponíveis: {choices}.",
    language_button="{name}",
    language_button_current="✅ {name}",
    language_button_automatic="Automático",
    language_button_stale="Esse menu está desatualizado — envie /language de novo.",
    answer_empty="O modelo devolveu uma resposta vazia. Tente reformular a sua mensagem.",
    answer_incomplete="(A resposta foi interrompida: {reason}.)",
    incomplete_length="atingiu o limite de tamanho",
    incomplete_content_filter="o filtro de conteúdo a bloqueou",
    incomplete_unknown="motivo desconhecido",
    answer_failed="Desculpe, o modelo não conseguiu responder desta vez. Tente de novo.",
    answer_cancelled="A resposta foi cancelada.",
    answer_stopped="(Interrompida.)",
    answer_tool_call=(
        "Desculpe, o modelo tentou usar uma ferramenta que este bot não oferece, então eu o "
        "interrompi. Quem cuida do bot deve remover as ferramentas do assistente."
    ),
    answer_timed_out=(
        "Desculpe, o modelo demorou demais (mais de {seconds} segundos), então parei de "
        "esperar. Tente de novo, talvez com uma pergunta mais curta."
    ),
    answer_timed_out_note=(
        "(Desculpe, o modelo demorou demais (mais de {seconds} segundos), então parei de "
        "esperar. Tente de novo, talvez com uma pergunta mais curta.)"
    ),
    backend_unavailable=(
        "Desculpe, o serviço de IA não está acessível agora. Tente de novo daqui a um minuto."
    ),
    backend_misconfigured=(
        "Desculpe, não consigo acessar o serviço de IA porque o bot está mal configurado. "
        "Quem cuida do bot foi avisado no registro do bot."
    ),
    quota_exhausted=(
        "Desculpe, o crédito de IA do bot acabou, então não posso responder por "
        "enquanto. O dono foi avisado; tente de novo mais tarde."
    ),
    backend_rejected="Desculpe, o serviço de IA recusou esta mensagem. Tente reformulá-la.",
    history_lost=(
        "(Não encontrei mais a nossa conversa anterior no serviço de IA, então comecei uma nova.)"
    ),
    unknown_command="Não conheço esse comando. /help mostra o que eu sei fazer.",
    empty_message="Sim? O que você gostaria de perguntar?",
    storage_unavailable=(
        "Desculpe, não consigo receber mensagens agora (meu armazenamento está indisponível). "
        "Tente de novo daqui a alguns minutos."
    ),
    budget_user_day="seu orçamento diário",
    budget_user_month="seu orçamento mensal",
    budget_chat_day="o orçamento diário deste chat",
    budget_chat_month="o orçamento mensal deste chat",
    budget_total_day="o orçamento diário do bot",
    budget_total_month="o orçamento mensal do bot",
    budget_reached=(
        "Desculpe, {budget} ({limit}) acabou, então não posso responder agora. Ele "
        "renova em {reset}."
    ),
    budget_warning="📊 {budget}: {percent}% usado ({spent} de {limit}).",
    usage_title_private="📊 <b>Seu uso</b>",
    usage_title_group="📊 <b>Uso deste chat</b>",
    usage_today="Hoje: {spent} · respostas: {answers}",
    usage_month="Este mês: {spent} · respostas: {answers}",
    usage_of="{spent} de {limit}",
    usage_yours="Seu: {day} hoje, {month} este mês",
    usage_conversation=(
        "Esta conversa tem cerca de {tokens} tokens; cada mensagem os relê. /reset "
        "recomeça do zero."
    ),
    usage_conversation_budget=(
        "Esta conversa tem cerca de {tokens} tokens e cada mensagem os relê; passados {budget}, "
        "a parte mais antiga é resumida para que as respostas continuem baratas. /reset "
        "recomeça do zero."
    ),
    usage_tools="Suas ferramentas este mês: {items}",
    usage_tool_item="{tool} {count}",
    usage_tool_images="🎨 imagens",
    usage_tool_code="🧮 sessões de código",
    usage_tool_searches="🔎 pesquisas na web",
    usage_tool_file_searches="📚 buscas nos documentos",
    usage_owners_only="Só os donos do bot podem ver o uso de todos.",
    command_web="Seu chat, seu uso e suas configurações na web",
    web_off="As páginas web não estão ativadas neste bot (o dono configura WEB_LISTEN).",
    web_private_only="Envie /web no nosso chat privado: o link de entrada é só seu.",
    web_link=(
        "{link} — funciona uma vez, por dez minutos. Não compartilhe: ele abre a sua "
        "conversa. /web logout encerra todas as suas sessões."
    ),
    web_link_label="Entrar nas páginas web",
    web_open_button="Abrir",
    web_logged_out="Sessões web encerradas ({count}).",
    let_in="Boa notícia: o dono deste bot liberou seu acesso. Diga oi!",
    retry_button="Tentar de novo",
    retry_stale="Essa mensagem não pode mais ser tentada de novo — envie-a outra vez.",
    unsupported_message=(
        "Desculpe, não consigo ler esse tipo de mensagem. Entendo texto, fotos, mensagens"
        " de voz e arquivos (PDF, texto, código, CSV)."
    ),
    voice_echo="🎤 <i>{transcript}</i>",
    voice_too_long="Essa mensagem de voz tem {duration}; consigo ouvir até {limit}.",
    voice_unavailable=(
        "Desculpe, não consigo ouvir mensagens de voz neste bot. Por favor, digite sua mensagem."
    ),
    voice_not_understood=(
        "Desculpe, não consegui entender essa gravação. Pode tentar de novo ou digitar?"
    ),
    voice_silent="Não consegui ouvir nenhuma palavra nessa gravação.",
    file_too_big="Esse arquivo tem {size} MB; leio arquivos de até {limit} MB.",
    file_too_big_for_telegram=(
        "Esse arquivo tem {size} MB, e o Telegram só deixa bots baixarem arquivos de até 20 MB."
    ),
    images_unavailable=(
        "Desculpe, não consigo ver imagens aqui: o modelo deste bot não as lê. Descreva "
        "em palavras que eu ajudo."
    ),
    image_format_unsupported=(
        "Não consigo ler imagens {format}. Envie como foto, ou em JPEG, PNG ou WEBP."
    ),
    image_unreadable="Desculpe, não consegui ler essa imagem. Tente enviá-la de novo como foto.",
    pdf_unavailable=(
        "Desculpe, o modelo deste bot não lê arquivos PDF. Cole o texto numa mensagem ou "
        "envie como arquivo .txt."
    ),
    documents_unavailable="Desculpe, a leitura de arquivos está desativada neste bot.",
    file_type_unsupported=(
        "Desculpe, não consigo ler {name}. Leio fotos, PDFs e arquivos de texto (txt, md,"
        " csv, json, código, logs…)."
    ),
    file_not_text="Desculpe, {name} não parece um arquivo de texto que eu consiga ler.",
    file_truncated=(
        "(Li os primeiros {chars} caracteres de {name}: ele é maior do que consigo ler de uma vez.)"
    ),
    file_download_failed=(
        "Desculpe, não consegui baixar esse arquivo do Telegram. Por favor, envie de novo."
    ),
    sources="Fontes",
    persona_tools="   🛠 {tools}",
    tool_code_interpreter="executa código",
    tool_web_search="pesquisa na web",
    tool_image_generation="desenha imagens",
    tool_unavailable="{tool} (indisponível neste bot)",
    spreadsheet_needs_code=(
        "Só consigo ler planilhas como {name} com uma persona que executa código: "
        "experimente /persona data_visualizer (ou envie como CSV)."
    ),
    spreadsheet_unreadable=(
        "Desculpe, não consigo abrir planilhas como {name} neste bot. Salve como CSV e envie"
        " de novo: isso eu consigo ler."
    ),
    artifact_gone=(
        "(Eu criei {name}, mas ele não está mais disponível: peça para eu criar de novo.)"
    ),
    container_expired=(
        "(Minha área de execução de código expirou após 20 minutos sem uso, então os "
        "arquivos que você enviou antes não estão mais nela: envie de novo se quiser que "
        "eu trabalhe neles.)"
    ),
    help_image=(
        "/image <i>descrição</i> — desenho uma imagem, por exemplo <code>/image um farol ao "
        "entardecer, aquarela</code>"
    ),
    image_prompt_missing=(
        "Diga o que devo desenhar, por exemplo <code>/image um farol ao entardecer, aquarela</code>"
    ),
    image_command_off="Desenhar com /image está desativado neste bot.",
    image_generation_unavailable="Desculpe, o serviço de IA deste bot não desenha imagens.",
    image_refused=(
        "Não consegui desenhar isso: o serviço de imagens recusou o pedido. Tente descrever de "
        "outro jeito."
    ),
    status_running_code="🧮 Executando Python…",
    status_searching="🔎 Pesquisando na web…",
    status_drawing="🎨 Desenhando…",
    status_asking="🔧 Consultando {server}…",
    status_reading="📚 Buscando em {library}…",
    persona_knowledge="   📚 {library} ({count} documentos)",
    knowledge_unavailable="   📚 {library} (sem busca neste bot)",
    persona_functions="   🔧 {tools}",
    function_unreachable="{server} (sem resposta agora)",
    confirm_call="🔧 Posso usar <b>{tool}</b> em {server}?\n<code>{arguments}</code>",
    confirm_yes="Sim",
    confirm_no="Não",
    confirm_said_yes="✅ Sim",
    confirm_said_no="❌ Não",
    confirm_stale="Esta pergunta não está mais aberta.",
    confirm_not_yours="Só quem fez o pedido pode responder.",
    tool_failed="⚠️ {server} não conseguiu fazer isso agora; vou responder sem ele.",
    learn_usage=(
        "Responda <code>/learn</code> a um documento para juntá-lo ao conhecimento da "
        "persona deste chat."
    ),
    learn_owners_only="Só os donos do bot podem adicionar documentos.",
    learn_no_knowledge=(
        "A persona {persona} não tem uma pasta de conhecimento, então não há onde pôr {name}."
    ),
    learn_not_searchable=(
        "Os documentos de {persona} não podem ser buscados neste bot; adicionar {name} "
        "não ajudaria."
    ),
    learn_unsupported=(
        "Não consigo buscar em documentos como {name}: envie um PDF, Word, Markdown ou texto."
    ),
    learn_failed="Não consegui baixar {name} do Telegram. Tente de novo.",
    learn_added="📚 {name} foi adicionado a {library} ({count} documentos).",
    internal_error="Desculpe, algo deu errado do meu lado. Tente de novo.",
    error_report=ENGLISH.error_report,  # for the owner: English in every catalogue
)
